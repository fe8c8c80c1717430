from decimal import Decimal

import pytest

from evaluation.models import Notification, Phase, TargetItem, TargetSheet
from evaluation.services import targets as svc
from evaluation.tests.year.conftest import set_deadline
from indicators.models import IndicatorNode


def _messages(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.mark.smoke
def test_targets_go_up_and_down_until_approved_and_frozen(year, login):
    # given the liaison drafts two targets making up the open node's 30 points
    client = login(year.liaison1)
    for name, points in (("完成财政收入目标", "20"), ("预算公开", "10")):
        response = client.post(year.url("target_item_add", unit_id=year.u1.pk),
                               {"parent": year.open_node.pk, "name": name, "points": points, "description": "全年"})
        assert response.status_code == 302
    response = client.post(year.url("target_submit", unit_id=year.u1.pk), follow=True)
    assert "已提交第 1 轮" in response.content.decode()
    sheet = TargetSheet.objects.get(unit=year.u1)
    first, second = sheet.items.order_by("order")

    # when the office returns one with a comment
    office = login(year.office)
    office.post(year.url("target_review", unit_id=year.u1.pk), {
        f"decision-{first.pk}": "approved", f"decision-{second.pk}": "returned", f"comment-{second.pk}": "目标偏低",
    })
    sheet.refresh_from_db()
    assert sheet.status == TargetSheet.Status.RETURNED
    assert Notification.objects.filter(user=year.liaison1.user, kind="targets_returned").exists()

    # then the liaison sees the comment, revises the returned one and resubmits
    client = login(year.liaison1)
    page = client.get(year.url("target_sheet", unit_id=year.u1.pk)).content.decode()
    assert "目标偏低" in page
    client.post(year.url("target_item_edit", target_item_id=second.pk),
                {"parent": year.open_node.pk, "name": "预算公开(全部部门)", "points": "10", "description": ""})
    # an approved item cannot be touched in a returned round
    response = client.post(year.url("target_item_delete", target_item_id=first.pk), follow=True)
    assert "已同意的目标不能删除" in response.content.decode()
    client.post(year.url("target_submit", unit_id=year.u1.pk))

    # the office approves the last item: frozen, and the targets are now the unit's leaves
    office = login(year.office)
    office.post(year.url("target_review", unit_id=year.u1.pk), {f"decision-{second.pk}": "approved"})
    sheet.refresh_from_db()
    assert sheet.status == TargetSheet.Status.APPROVED
    leaves = IndicatorNode.objects.filter(parent=year.open_node, unit=year.u1).order_by("code")
    assert [(n.name, n.points, n.method) for n in leaves] == [
        ("完成财政收入目标", Decimal("20.00"), "manual"), ("预算公开(全部部门)", Decimal("10.00"), "manual")]
    # every round is kept: round 1 shows the return with its comment
    rounds = list(sheet.rounds.order_by("number"))
    assert [r.number for r in rounds] == [1, 2]
    assert {i["decision"] for i in rounds[0].items} == {"approved", "returned"}
    assert any(i["comment"] == "目标偏低" for i in rounds[0].items)
    page = login(year.liaison1).get(year.url("target_sheet", unit_id=year.u1.pk)).content.decode()
    assert "第 1 轮" in page and "第 2 轮" in page
    # frozen: no more edits
    with pytest.raises(svc.TargetError, match="冻结"):
        svc.target_item_save(sheet=sheet, parent=year.open_node, name="x", points=Decimal(1))


def test_submit_refused_when_points_do_not_make_up_the_node(year):
    sheet = svc.target_sheet_get_or_create(campaign=year.campaign, unit=year.u1)
    svc.target_item_save(sheet=sheet, parent=year.open_node, name="a", points=Decimal(25))
    with pytest.raises(svc.TargetError, match="合计 25.00 分,应为 30.00 分"):
        svc.target_sheet_submit(sheet=sheet, actor=year.liaison1.user)


def test_returning_an_item_needs_a_comment(year):
    sheet = svc.target_sheet_get_or_create(campaign=year.campaign, unit=year.u1)
    item = svc.target_item_save(sheet=sheet, parent=year.open_node, name="a", points=Decimal(30))
    svc.target_sheet_submit(sheet=sheet, actor=year.liaison1.user)
    with pytest.raises(svc.TargetError, match="须写明意见"):
        svc.target_sheet_review(sheet=sheet, actor=year.office.user, decisions={item.pk: ("returned", " ")})
    assert TargetItem.objects.get(pk=item.pk).decision == ""


def test_deadline_is_enforced_with_a_clear_message(year, login):
    set_deadline(year.campaign, Phase.TARGETS, -1)
    response = login(year.liaison1).post(
        year.url("target_item_add", unit_id=year.u1.pk),
        {"parent": year.open_node.pk, "name": "a", "points": "30"}, follow=True)
    text = response.content.decode()
    assert "指标细化已于" in text and "截止" in text
    assert not TargetItem.objects.exists()


def test_only_open_nodes_take_targets(year):
    sheet = svc.target_sheet_get_or_create(campaign=year.campaign, unit=year.u1)
    with pytest.raises(svc.TargetError, match="不是开放给本单位细化的指标"):
        svc.target_item_save(sheet=sheet, parent=year.manual, name="a", points=Decimal(5))
