"""Acceptance: the year's work in a browser, each role logging in through the login form."""

import os

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402
from django.urls import reverse  # noqa: E402

from evaluation.tests.year.conftest import PDF  # noqa: E402
from evaluation.tests.year.test_results_effects import add_rules  # noqa: E402
from tests import factories  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def _serious_violations(page) -> list:
    page.add_script_tag(url="/static/vendor/axe-core/axe.min.js")
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target.join(' '))}))"
    )
    return [v for v in violations if v["impact"] in ("serious", "critical")]


@pytest.mark.browser
def test_a_year_of_work_from_targets_to_results(year, live_server, artifacts_dir):
    from playwright.sync_api import expect, sync_playwright

    from evaluation.models import TargetItem
    from indicators.models import IndicatorNode

    add_rules(year.category)
    base = live_server.url
    slug = year.tenant.slug
    campaign = year.campaign

    def url(name, **kwargs):
        return base + year.url(name, **kwargs)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())

        def login(membership):
            context.clear_cookies()
            page.goto(base + reverse("login"))
            page.fill("#id_username", membership.user.username)
            page.fill("#id_password", factories.PASSWORD)
            page.get_by_role("button", name="登录").click()
            page.wait_for_url(f"**/t/{slug}/")

        def shot(name):
            page.screenshot(path=str(artifacts_dir / f"year-{name}.png"), full_page=True)

        # 1. the liaison refines targets and submits them
        login(year.liaison1)
        page.goto(base + reverse("year:index", kwargs={"tenant_slug": slug}))
        page.get_by_role("link", name=f"{campaign.year} {campaign.name}").click()
        page.get_by_role("link", name="指标细化").click()
        for name, points in (("完成财政收入目标", "20"), ("预算公开", "10")):
            page.select_option("#id_parent", str(year.open_node.pk))
            page.fill("#id_name", name)
            page.fill("#id_points", points)
            page.fill("#id_description", "全年完成")
            page.get_by_role("button", name="添加", exact=True).click()
            expect(page.locator(".messages")).to_contain_text(name)
        page.get_by_role("button", name="提交审核").click()
        expect(page.locator(".messages")).to_contain_text("已提交第 1 轮")
        first, second = TargetItem.objects.order_by("order")

        # 2. the office returns one with a comment
        login(year.office)
        page.goto(url("targets"))
        page.get_by_role("link", name="审核").click()
        page.check(f'input[name="decision-{first.pk}"][value="approved"]')
        page.check(f'input[name="decision-{second.pk}"][value="returned"]')
        page.fill(f"#comment-{second.pk}", "请细化到各部门")
        assert _serious_violations(page) == []
        shot("targets-review")
        page.get_by_role("button", name="提交审核意见").click()
        expect(page.locator(".messages")).to_contain_text("已退回单位修改")

        # 3. the liaison sees the comment, revises and resubmits
        login(year.liaison1)
        page.goto(url("target_sheet", unit_id=year.u1.pk))
        expect(page.locator(f'tr[data-item="{second.pk}"]')).to_contain_text("请细化到各部门")
        page.locator(f'tr[data-item="{second.pk}"]').get_by_role("link", name="修改").click()
        page.fill("#id_name", "预算公开(全部部门)")
        page.get_by_role("button", name="保存").click()
        page.get_by_role("button", name="修改完毕,重新提交").click()
        expect(page.locator(".messages")).to_contain_text("已提交第 2 轮")

        # 4. the office approves: frozen
        login(year.office)
        page.goto(url("target_sheet", unit_id=year.u1.pk))
        page.check(f'input[name="decision-{second.pk}"][value="approved"]')
        page.get_by_role("button", name="提交审核意见").click()
        expect(page.locator("h1")).to_contain_text("已批准")
        expect(page.locator(".round")).to_have_count(2)
        shot("targets-approved")

        # 5. a data provider files a ledger entry with its evidence
        login(year.provider)
        page.goto(url("ledger"))
        page.get_by_role("link", name="登记台帐").click()
        page.select_option("#id_unit", str(year.u1.pk))
        page.select_option("#id_rule", f"{year.complaints.pk}:overdue")
        page.fill("#id_quantity", "2")
        page.fill("#id_occurred_on", "2026-03-05")
        page.fill("#id_source_document", "信访〔2026〕3号")
        page.set_input_files("#id_files", files=[{"name": "通报.pdf", "mimeType": "application/pdf", "buffer": PDF}])
        page.get_by_role("button", name="登记").click()
        expect(page.locator(".messages")).to_contain_text("4.00 分")

        # 6. the liaison appeals it; the office voids it with a reason
        login(year.liaison1)
        page.goto(url("ledger"))
        page.get_by_role("link", name="申诉", exact=True).click()
        page.fill("#id_reason", "两件均已按期办结,见回执")
        page.get_by_role("button", name="提交申诉").click()
        expect(page.locator("table.ledger")).to_contain_text("申诉中")
        login(year.office)
        page.goto(url("ledger"))
        page.get_by_role("link", name="处理申诉").click()
        page.get_by_label("撤销").check()
        page.fill("#id_reason", "回执证明按期办结")
        page.get_by_role("button", name="提交").click()
        expect(page.locator("table.ledger")).to_contain_text("回执证明按期办结")

        # 7. the liaison self-assesses, with a PDF, and submits
        login(year.liaison1)
        page.goto(url("self_sheet", unit_id=year.u1.pk))
        own = list(IndicatorNode.objects.filter(unit=year.u1).order_by("code"))
        for node, score in ((own[0], "19"), (own[1], "10"), (year.manual, "18"), (year.tiered, "10"),
                            (year.complaints, "15")):
            section = page.locator(f"#leaf-{node.pk}")
            section.locator('input[name="score"]').fill(score)
            section.locator('textarea[name="narrative"]').fill(f"{node.name}:已完成")
            if node == year.manual:
                section.locator('input[type="file"]').set_input_files(
                    files=[{"name": "重点工作总结.pdf", "mimeType": "application/pdf", "buffer": PDF}])
            section.get_by_role("button", name="保存草稿").click()
            expect(page.locator(".messages")).to_contain_text("已保存")
        expect(page.locator(f"#leaf-{year.manual.pk}")).to_contain_text("重点工作总结.pdf")
        assert _serious_violations(page) == []
        page.get_by_role("button", name="提交自评").click()
        expect(page.locator(".messages")).to_contain_text("自评已提交")

        # 8. the assessor verifies on the scoring sheet (keyboard: Enter moves to the next score)
        login(year.assessor)
        page.goto(url("assessment"))
        # the sheet's keyboard help is set up on DOMContentLoaded: typing before it runs (a busy
        # machine) would go to the wrong fields, so wait for the new page's load event
        with page.expect_navigation(wait_until="load"):
            page.get_by_role("link", name="U1 财政局").click()
        u = year.u1.pk
        page.fill(f"#score-{u}-{own[0].pk}", "18")
        page.keyboard.press("Enter")
        page.keyboard.type("10")
        page.fill(f"#score-{u}-{year.manual.pk}", "16")
        page.select_option(f"#verification-{u}-{year.manual.pk}", "on_site")
        page.fill(f"#comment-{u}-{year.manual.pk}", "两项未完成")
        page.select_option(f"#tier-{u}-{year.tiered.pk}", "A")
        page.select_option(f"#adj-{u}-{year.tiered.pk}", "+")
        expect(page.locator("tr.differs")).to_have_count(2)  # 18 vs 19, 16 vs 18
        assert _serious_violations(page) == []
        shot("scoring-sheet")
        page.get_by_role("button", name="保存评分").click()
        expect(page.locator(".messages")).to_contain_text("已保存 4 项评分")

        # 9. a veto authority vetoes
        login(year.veto)
        page.goto(url("vetoes"))
        page.locator("tr", has_text="U1 财政局").get_by_role("link", name="签署").click()
        page.get_by_label("否决").check()
        page.fill("#id_reason", "发生较大安全生产事故")
        page.get_by_role("button", name="提交").click()
        expect(page.locator("table.vetoes")).to_contain_text("发生较大安全生产事故")

        # 10. the unit's results page shows each effect after the recompute
        login(year.liaison1)
        page.goto(url("campaign"))
        page.get_by_role("link", name="本单位得分").click()
        body = page.locator("main")
        expect(body).to_contain_text("69.00")  # 18 + 10 + 16 + 10 (tier A+) + 15 (the voided entry not counted)
        expect(body).to_contain_text("一票否决")
        expect(body).to_contain_text("预算公开(全部部门)")
        shot("unit-result")
        browser.close()
