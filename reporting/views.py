"""Reporting pages: publication, bulletins, score cards, dashboards, standings, rectification.

Thin: validate, fetch through scoped accessors, call one service, render.
"""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.messages import get_messages
from django.http import FileResponse, Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from evaluation.access import access_campaign, access_unit, campaigns_for
from evaluation.caching import revalidated
from evaluation.tenancy import tenant_view
from reporting import access
from reporting.forms import (
    BulletinForm,
    PublishForm,
    RectificationFileForm,
    RectificationReviewForm,
    SubmitForm,
)
from reporting.models import BulletinJob, RectificationReport
from reporting.selectors import publication as pub_selectors
from reporting.selectors.dashboard import (
    DashboardData,
    cache_get,
    cache_key,
    cache_set,
    dashboard_shown,
    dashboard_tables,
    revision_identity,
)
from reporting.selectors.results import category_blocks, revision_rows
from reporting.services import publication as publication_services
from reporting.services import rectification as rectification_services
from reporting.services.bulletins import bulletin_job_start
from reporting.services.rendering import bulletin_header, render_scorecards_pdf


def _lang() -> str:
    return "en" if (get_language() or "").startswith("en") else "zh"


def _to_campaign(request, campaign):
    return redirect("reporting:campaign", tenant_slug=request.tenant.slug, campaign_id=campaign.pk)


@tenant_view("results.view_own")
def home(request):
    """Campaigns with their reports; what each role may open is shown by the role table."""
    campaigns = campaigns_for(request.membership).order_by("-year", "name")
    membership = request.membership
    return render(
        request,
        "reporting/home.html",
        {
            "campaigns": campaigns,
            "can": {
                "reports": membership.can("results.view_all"),
                "dashboard": membership.can("dashboard.view"),
                "standings": membership.can("standings.view_own"),
                "rectification": membership.can("rectification.track"),
            },
        },
    )


@tenant_view("results.view_all")
def campaign(request, campaign_id):
    """Revisions, the publication workflow and the bulletins of the chosen revision."""
    campaign = access_campaign(request.membership, campaign_id)
    revisions = list(access.revisions_for(request.membership, campaign).order_by("-number")[:20])
    revision = revisions[0] if revisions else None
    if request.GET.get("revision"):
        revision = access.access_revision(request.membership, campaign, request.GET["revision"])
    publications = list(pub_selectors.publications_of(campaign))
    by_revision = {p.revision_id: p for p in publications}
    context = {
        "campaign": campaign,
        "revisions": [(r, by_revision.get(r.pk)) for r in revisions],
        "revision": revision,
        "publication": by_revision.get(revision.pk) if revision else None,
        "publications": publications,
        "open_publication": pub_selectors.open_publication(campaign),
        "in_force": pub_selectors.latest_published(campaign),
        "jobs": pub_selectors.latest_jobs(revision) if revision else {},
        "kinds": BulletinJob.Kind.choices,
        "submit_form": SubmitForm(),
        "publish_form": PublishForm(initial={"document_number": campaign.document_number}),
        "can": {
            "submit": request.membership.can("publication.submit"),
            "approve": request.membership.can("publication.approve"),
            "generate": request.membership.can("bulletin.generate"),
            "download": request.membership.can("bulletin.download"),
        },
    }
    if revision is not None:
        context["blocks"] = category_blocks(revision, revision_rows(revision, lang=_lang()))
    return render(request, "reporting/campaign.html", context)


def _publication_step(request, campaign_id, publication_id, step):
    campaign = access_campaign(request.membership, campaign_id)
    publication = access.access_publication(request.membership, campaign, publication_id)
    try:
        step(campaign, publication)
    except publication_services.PublicationError as exc:
        messages.error(request, str(exc))
    url = redirect("reporting:campaign", tenant_slug=request.tenant.slug, campaign_id=campaign.pk)
    url["Location"] += f"?revision={publication.revision_id}"
    return url


@tenant_view("publication.submit")
@require_POST
def publication_submit(request, campaign_id, revision_id):
    campaign = access_campaign(request.membership, campaign_id)
    revision = access.access_revision(request.membership, campaign, revision_id)
    form = SubmitForm(request.POST)
    if form.is_valid():
        try:
            publication_services.publication_submit(
                actor=request.user, revision=revision, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("已报送领导审定。"))
        except publication_services.PublicationError as exc:
            messages.error(request, str(exc))
    return _to_campaign(request, campaign)


@tenant_view("publication.approve")
@require_POST
def publication_approve(request, campaign_id, publication_id):
    def step(campaign, publication):
        publication_services.publication_approve(actor=request.user, publication=publication)
        messages.success(request, _("已审定。"))

    return _publication_step(request, campaign_id, publication_id, step)


@tenant_view("publication.submit")
@require_POST
def publication_publish(request, campaign_id, publication_id):
    def step(campaign, publication):
        form = PublishForm(request.POST)
        if not form.is_valid():
            raise publication_services.PublicationError(_("请填写通报文号。"))
        publication_services.publication_publish(
            actor=request.user, publication=publication, document_number=form.cleaned_data["document_number"]
        )
        messages.success(request, _("结果已公布,该版本已冻结。"))

    return _publication_step(request, campaign_id, publication_id, step)


@tenant_view("publication.submit")
@require_POST
def publication_withdraw(request, campaign_id, publication_id):
    def step(campaign, publication):
        publication_services.publication_withdraw(actor=request.user, publication=publication)
        messages.info(request, _("已撤回。"))

    return _publication_step(request, campaign_id, publication_id, step)


@tenant_view("bulletin.generate")
@require_POST
def bulletin_start(request, campaign_id, revision_id):
    campaign = access_campaign(request.membership, campaign_id)
    revision = access.access_revision(request.membership, campaign, revision_id)
    form = BulletinForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=400)
    job = bulletin_job_start(revision=revision, kind=form.cleaned_data["kind"], actor=request.user)
    if request.htmx:
        job.refresh_from_db()
        return render(request, "reporting/_bulletin_job.html", {"campaign": campaign, "revision": revision, "job": job})
    response = _to_campaign(request, campaign)
    response["Location"] += f"?revision={revision.pk}"
    return response


@tenant_view("bulletin.download")
def bulletin_status(request, campaign_id, revision_id, bulletin_id):
    """The progress bar partial, polled by htmx while the job is unfinished."""
    campaign = access_campaign(request.membership, campaign_id)
    revision = access.access_revision(request.membership, campaign, revision_id)
    job = access.access_bulletin_job(request.membership, revision, bulletin_id)
    return render(request, "reporting/_bulletin_job.html", {"campaign": campaign, "revision": revision, "job": job})


@tenant_view("bulletin.download")
def bulletin_download(request, campaign_id, revision_id, bulletin_id):
    campaign = access_campaign(request.membership, campaign_id)
    revision = access.access_revision(request.membership, campaign, revision_id)
    job = access.access_bulletin_job(request.membership, revision, bulletin_id)
    if job.status != BulletinJob.Status.DONE or not job.file:
        raise Http404("No file yet")
    names = {"pdf": "考评结果通报", "xlsx": "考评结果通报", "scorecards": "成绩单"}
    extension = job.file.name.rsplit(".", 1)[-1]
    filename = f"{campaign.year}年度{names[job.kind]}-第{revision.number}版.{extension}"
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=filename)


def _scorecard_row(request, campaign_id, revision_id, unit_id):
    campaign = access_campaign(request.membership, campaign_id)
    revision = access.access_published_revision(request.membership, campaign, revision_id)
    unit = access_unit(request.membership, unit_id)
    rows = revision_rows(revision, lang=_lang(), unit_ids=[unit.pk], with_nodes=True)
    if not rows:
        raise Http404("No result for this unit")
    return campaign, revision, rows[0]


@tenant_view("scorecard.download")
def scorecard(request, campaign_id, revision_id, unit_id):
    """A unit's score card on screen: the dashboard's drill-down, unit → leaf → ledger."""
    campaign, revision, row = _scorecard_row(request, campaign_id, revision_id, unit_id)
    return render(
        request,
        "reporting/scorecard.html",
        {"campaign": campaign, "revision": revision, "row": row, "header": bulletin_header(revision)},
    )


@tenant_view("scorecard.download")
def scorecard_pdf(request, campaign_id, revision_id, unit_id):
    campaign, revision, row = _scorecard_row(request, campaign_id, revision_id, unit_id)
    pdf = render_scorecards_pdf(revision, unit_ids=[row.unit_id])
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"scorecard-{campaign.year}-r{revision.number}-{row.unit_code}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _shown(request, campaign_id, *, with_earlier: bool = False):
    return dashboard_shown(request.membership, campaign_id, request.GET.get("revision") or None,
                           with_earlier=with_earlier)


@tenant_view("dashboard.view")
def dashboard(request, campaign_id):
    shown = _shown(request, campaign_id)
    context = {"campaign": shown.campaign, "revision": shown.revision}
    if shown.revision is None:
        return render(request, "reporting/dashboard.html", context)
    context["published"] = shown.published
    key = _dashboard_page_key(request, shown)
    if key is None:
        context["tabs"], context["tables"] = _dashboard_tables(request, shown.campaign, shown.revision)
        return render(request, "reporting/dashboard.html", context)
    cached = cache_get(key)
    if cached is None:
        # The page is kept with a stand-in for the CSRF token, which is the only part of it
        # that changes between two requests of the same person for the same revision; the
        # stand-in is random, so no text of the page (a unit's name) can be mistaken for it.
        stand_in = "csrf" + secrets.token_hex(30)
        context["tabs"], context["tables"] = _dashboard_tables(request, shown.campaign, shown.revision)
        context["csrf_token"] = stand_in
        cached = (stand_in.encode(), render_to_string("reporting/dashboard.html", context, request).encode())
        cache_set(key, cached)
    stand_in, body = cached
    return HttpResponse(body.replace(stand_in, get_token(request).encode()))


def _dashboard_page_key(request, shown) -> str | None:
    """The key of the whole rendered page, or None when it must be rendered afresh: the page
    has messages to show, or a query string besides ``revision`` (the language form sends
    the full path back). Besides the revision, the key names what the page's frame shows:
    the tenant, the person and their role (name, menu), the campaign, language and path."""
    if set(request.GET) - {"revision"} or len(get_messages(request)):
        return None
    membership, user, campaign = request.membership, request.user, shown.campaign
    return cache_key(
        "dashboard-page", revision_identity(shown.revision), shown.published, _lang(),
        membership.tenant_id, request.tenant.name, membership.pk, membership.role,
        user.pk, user.username, user.get_full_name(), campaign.pk, campaign.title,
        request.get_full_path(),
    )


def _dashboard_tables(request, campaign, revision) -> tuple[list[tuple[str, str]], str]:
    """The category tabs and the rendered tables: a revision never changes, so they are cached
    under a key naming it, the tenant, the campaign and the language (see CACHE_SECONDS)."""
    lang = _lang()
    key = cache_key("dashboard-tables", revision_identity(revision), request.tenant.slug, campaign.pk, lang)
    cached = cache_get(key)
    if cached is None:
        blocks = dashboard_tables(revision, lang=lang)
        html = render_to_string(
            "reporting/dashboard_tables.html",
            {"blocks": blocks, "campaign": campaign, "revision": revision, "tenant": request.tenant},
        )
        cached = ([(block.code, block.name) for block in blocks], html)
        cache_set(key, cached)
    tabs, html = cached
    return tabs, mark_safe(html)  # noqa: S308 - rendered above by an autoescaping template


@tenant_view("dashboard.view")
def dashboard_data_view(request, campaign_id):
    """The dashboard's charts as JSON; a client holding the current data (If-None-Match) gets 304."""
    shown = _shown(request, campaign_id, with_earlier=True)
    if shown.revision is None:
        raise Http404("No results yet")
    data = DashboardData(shown, tenant_slug=request.tenant.slug, lang=_lang())
    return revalidated(request, data.etag, lambda: HttpResponse(data.body(), content_type="application/json"),
                       vary=("Cookie", "Accept-Language"))


@tenant_view("standings.view_own")
def standings(request, campaign_id):
    """Provisional standings (暂定排名) from the latest computed revision: a liaison sees its own
    unit and where it loses points; the office and leaders see everyone."""
    membership = request.membership
    campaign = access_campaign(membership, campaign_id)
    revision = access.revisions_for(membership, campaign).order_by("-number").first()
    in_force = pub_selectors.latest_published(campaign)
    context = {"campaign": campaign, "revision": revision, "in_force": in_force}
    if revision is not None:
        context["provisional"] = not pub_selectors.is_published(revision)
        if membership.is_liaison:
            rows = revision_rows(revision, lang=_lang(), unit_ids=[membership.unit_id], with_nodes=True)
            own = rows[0] if rows else None
            context["own"] = own
            if own is not None:
                context["category_size"] = revision.unit_results.filter(category_id=own.category_id).count()
                context["losses"] = sorted((n for n in own.leaves if n.lost > 0), key=lambda n: -n.lost)
            if in_force is not None:
                context["rectification"] = (
                    access.rectifications_for(membership).filter(publication=in_force).first()
                )
        else:
            context["blocks"] = category_blocks(revision, revision_rows(revision, lang=_lang()))
    return render(request, "reporting/standings.html", context)


@tenant_view("rectification.track")
def rectifications(request, campaign_id):
    campaign = access_campaign(request.membership, campaign_id)
    in_force = pub_selectors.latest_published(campaign)
    reports = list(pub_selectors.rectifications_of(in_force)) if in_force else []
    counts = {status: 0 for status, _label in RectificationReport.Status.choices}
    for report in reports:
        counts[report.status] += 1
    return render(
        request,
        "reporting/rectifications.html",
        {
            "campaign": campaign,
            "publication": in_force,
            "reports": reports,
            "counts": [(label, counts[status]) for status, label in RectificationReport.Status.choices],
            "review_form": RectificationReviewForm() if request.membership.can("rectification.review") else None,
        },
    )


@tenant_view("rectification.review")
@require_POST
def rectification_review(request, campaign_id, rectification_id):
    campaign = access_campaign(request.membership, campaign_id)
    report = access.access_rectification(request.membership, campaign, rectification_id)
    form = RectificationReviewForm(request.POST)
    if form.is_valid():
        try:
            rectification_services.rectification_review(
                actor=request.user,
                report=report,
                accept=form.cleaned_data["decision"] == "accept",
                comment=form.cleaned_data["comment"],
            )
            messages.success(request, _("已审核。"))
        except rectification_services.RectificationError as exc:
            messages.error(request, str(exc))
    return redirect("reporting:rectifications", tenant_slug=request.tenant.slug, campaign_id=campaign.pk)


@tenant_view("rectification.file")
def rectification_file(request, campaign_id, rectification_id):
    campaign = access_campaign(request.membership, campaign_id)
    report = access.access_rectification(request.membership, campaign, rectification_id)
    form = RectificationFileForm(request.POST or None, initial={"report": report.report})
    if request.method == "POST" and form.is_valid():
        try:
            rectification_services.rectification_file(actor=request.user, report=report, text=form.cleaned_data["report"])
            messages.success(request, _("整改报告已提交。"))
            return redirect("reporting:standings", tenant_slug=request.tenant.slug, campaign_id=campaign.pk)
        except rectification_services.RectificationError as exc:
            form.add_error(None, str(exc))
    return render(request, "reporting/rectification_file.html", {"campaign": campaign, "report": report, "form": form})
