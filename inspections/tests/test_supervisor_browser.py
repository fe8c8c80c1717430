"""The supervisor app on a phone (390 × 844, touch): online, offline, retried sends, accessibility."""

import os

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402
from django.urls import reverse  # noqa: E402

from inspections.models import Visit, VisitPhoto  # noqa: E402
from inspections.tests.walk_samples import PNG  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def _serious_violations(page) -> list:
    # by URL, not inline: the page's Content-Security-Policy (script-src 'self') stays in force
    page.add_script_tag(url="/static/vendor/axe-core/axe.min.js")
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target.join(' '))}))"
    )
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def _fill_visit(page, world, unit: str, findings: list[tuple[str, int]], photo_name: str):
    page.get_by_role("button", name="开始察访").tap()
    page.select_option("#sv-unit", str(world["units"][unit].pk))
    page.get_by_label("暗访").tap()
    for code, count in findings:
        item = world["items"][code]
        page.locator(f'.sv-item[data-item="{item.pk}"] .sv-check').tap()
        page.fill(f"#sv-count-{item.pk}", str(count))
    page.set_input_files("#sv-photos", files=[{"name": photo_name, "mimeType": "image/png", "buffer": PNG}])
    page.fill("#sv-place", "政务服务中心")


@pytest.mark.browser
def test_phone_logs_visits_online_and_offline_exactly_once(world, live_server, client, artifacts_dir):
    from playwright.sync_api import expect, sync_playwright

    client.force_login(world["supervisor"].user)
    url = live_server.url + reverse("inspections:app", kwargs={"tenant_slug": world["tenant"].slug})
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True,
                                      locale="zh-CN")
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
        page = context.new_page()
        page.goto(url)
        expect(page.locator("[data-online]")).to_have_text("在线")
        assert _serious_violations(page) == []

        # 1. online: two findings and a photo
        _fill_visit(page, world, "U1", [("A1", 2), ("A3", 1)], "first.png")
        expect(page.locator(".sv-photos img")).to_have_count(1)
        assert _serious_violations(page) == []
        page.screenshot(path=str(artifacts_dir / "inspections-phone-form.png"), full_page=True)
        page.get_by_role("button", name="提交").tap()
        expect(page.locator("[data-queue-empty]")).to_be_visible()
        expect(page.locator("[data-sent] li").first).to_contain_text("财政局")
        first = Visit.objects.get()
        assert sorted((f.item.code, f.count) for f in first.findings.all()) == [("A1", 2), ("A3", 1)]
        assert first.photos.count() == 1 and first.place == "政务服务中心"

        # 2. offline: the visit waits on the phone
        context.set_offline(True)
        expect(page.locator("[data-online]")).to_have_text("离线")
        _fill_visit(page, world, "U2", [("A2", 1)], "second.png")
        page.get_by_role("button", name="提交").tap()
        expect(page.locator("[data-queue-count]")).to_have_text("1")
        expect(page.locator("[data-queue] li")).to_contain_text("环保局")
        page.screenshot(path=str(artifacts_dir / "inspections-phone-offline-queue.png"), full_page=True)
        assert Visit.objects.count() == 1

        # 3. back online; the first answer is lost after the server recorded the visit (so the
        #    phone sends it again), and the photo upload reaches the server twice
        visit_posts, photo_posts = [], []

        def lose_first_answer(route):
            visit_posts.append(route.request.post_data)
            route.fetch()
            if len(visit_posts) == 1:
                route.abort("connectionreset")
            else:
                route.continue_()

        def duplicate_photo(route):
            photo_posts.append(1)
            route.fetch()
            route.fulfill(response=route.fetch())

        page.route("**/inspections/visits/", lose_first_answer)
        page.route("**/inspections/visits/*/photos/", duplicate_photo)
        context.set_offline(False)
        expect(page.locator("[data-queue-count]")).to_have_text("0", timeout=20000)
        expect(page.locator("[data-sent] li").first).to_contain_text("环保局")
        page.screenshot(path=str(artifacts_dir / "inspections-phone-synced.png"), full_page=True)

        assert len(visit_posts) >= 2 and len(set(visit_posts)) == 1  # the same body, same key, resent
        assert len(photo_posts) == 1
        assert Visit.objects.count() == 2
        second = Visit.objects.get(unit=world["units"]["U2"])
        assert [(f.item.code, f.count) for f in second.findings.all()] == [("A2", 1)]
        assert VisitPhoto.objects.filter(visit=second).count() == 1
        browser.close()
