"""A leader opens the dashboard for worked example A on a desktop and on a tablet (Chromium)."""

import os

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402

from evaluation.engine.examples import worked_example_a_scheme  # noqa: E402
from evaluation.models import Campaign  # noqa: E402
from evaluation.roles import Role  # noqa: E402
from reporting.tests import builders  # noqa: E402
from tests import factories  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@pytest.fixture
def leader_world(transactional_db):
    tenant = factories.make_tenant("dash-a", "南平市效能办")
    tenant.office_name = "南平市机关效能建设领导小组办公室"
    tenant.save(update_fields=["office_name"])
    last_year = builders.example_a(tenant, year=2024)  # earlier campaigns: the year-over-year lines
    builders._store(tenant, Campaign.objects.create(tenant=tenant, year=2025, name="机关绩效考评"),
                    worked_example_a_scheme(), builders.example_a_inputs_changed(), number=1)
    assert last_year.campaign.year == 2024
    revision = builders.example_a(tenant)
    leader = factories.make_member(tenant, Role.LEADER, user=factories.make_user("wu-leader"))
    return revision, leader


@pytest.mark.browser
def test_leader_sees_ranking_and_zones_on_desktop_and_tablet(leader_world, live_server, artifacts_dir):
    from playwright.sync_api import expect, sync_playwright

    revision, leader = leader_world
    dashboard = f"{live_server.url}/t/{revision.tenant.slug}/reports/campaigns/{revision.campaign_id}/dashboard/"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("response", lambda r: errors.append(f"{r.status} {r.url}")
                if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)

        page.goto(live_server.url + "/accounts/login/")
        page.get_by_label("用户名").fill("wu-leader")
        page.get_by_label("密码").fill(factories.PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.goto(dashboard)
        expect(page.locator("#dashboard")).to_have_attribute("data-ready", "true")
        expect(page.locator(".provisional")).to_contain_text("暂定")
        ranking = page.locator('[data-category-table="C1"] tbody tr')
        expect(ranking).to_have_count(4)
        expect(ranking.first).to_contain_text("市场监管局")
        expect(ranking.first).to_have_class("zone-good")
        expect(ranking.nth(1)).to_have_class("zone-excellent")
        expect(ranking.nth(3)).to_have_class("zone-poor")
        assert page.locator('[data-chart="ranking"] canvas').count() == 1
        expect(page.locator('[data-chart="history"] canvas')).to_have_count(1)
        page.wait_for_timeout(300)
        page.screenshot(path=str(artifacts_dir / "dashboard-example-a-desktop.png"), full_page=True)

        # category 2, then the tablet
        page.get_by_role("tab", name="第二类 其他市直单位(效能考评)").click()
        expect(page.locator('[data-category-table="C2"]')).to_be_visible()
        expect(page.locator('[data-category-table="C1"]')).to_be_hidden()
        page.get_by_role("tab", name="第一类 市政府重点工作部门(绩效评估)").click()
        page.set_viewport_size({"width": 820, "height": 1180})
        page.wait_for_timeout(300)
        width = page.evaluate("document.querySelector('[data-chart=ranking] canvas').getBoundingClientRect().width")
        assert 600 < width <= 820, width  # the chart follows the tablet's width
        assert page.evaluate("document.documentElement.scrollWidth") <= 820  # no sideways scrolling
        page.screenshot(path=str(artifacts_dir / "dashboard-example-a-tablet.png"), full_page=True)

        # drill-down: unit → leaf → ledger entries
        page.locator('[data-category-table="C1"]').get_by_role("link", name="财政局").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("财政局")
        expect(page.locator("#node-U1-3\\.1\\.1")).to_contain_text("台帐 #412")
        page.screenshot(path=str(artifacts_dir / "dashboard-drilldown-scorecard-tablet.png"), full_page=True)
        browser.close()
    assert not errors, errors
