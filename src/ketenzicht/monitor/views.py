"""Monitor pages: the regional overview, a municipality drill-down, exports, report, imports.

Thin: the policy decides access, selectors compute figures, services write. Everything that
leaves the AF's own municipality comes from the latest release through `monitor/protected.py`
(Cell Key Method); only the AF's own municipality page and its export show live, exact figures
(policy action `monitor.unsuppressed`), with "stand per <datum en tijd>".
"""

from __future__ import annotations

import csv
import hashlib
import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ketenzicht.accounts.models import Municipality, Region
from ketenzicht.audit.models import AuditAction
from ketenzicht.audit.services import audit_record
from ketenzicht.core import policy
from ketenzicht.core.decorators import policy_view
from ketenzicht.core.errors import ServiceError
from ketenzicht.monitor import charts, report, selectors, services
from ketenzicht.monitor.forms import FilterForm, ThroughputForm, UploadForm, WithdrawForm
from ketenzicht.monitor.models import Import, ImportStatus


def _region(request: HttpRequest) -> Region:
    org = request.user.organisation
    region = org.region if org is not None else None
    if region is None or not policy.can(request.user, "monitor.view", region):
        raise PermissionDenied("monitor.view")
    return region


def figure_context(fig: selectors.Figures, *, prefix: str = "kz") -> dict[str, Any]:
    """Charts and tables of one selection (shared by pages and the PDF report).

    The charts are callables: the template calls them only when it renders them, so a
    page whose figures fragment is cached does not draw them again.
    """
    names = {row["code"]: row["name"] for row in fig.municipality_form}
    return {
        "fig": fig,
        "chart_trend": lambda: charts.column_chart(fig.trend, uid=f"{prefix}-trend", title=_("Verloop: %(t)s") % {"t": fig.title}),
        "chart_form": lambda: charts.bar_chart(fig.by_form, uid=f"{prefix}-vorm", title=_("Naar vorm van uitbuiting: %(t)s") % {"t": fig.title}),
        "chart_source": lambda: charts.bar_chart(
            [(f"{s} ({u})", v) for s, u, v in fig.by_source], uid=f"{prefix}-bron",
            title=_("Alle bronnen naast elkaar (niet optellen)"),
        ),
        "map": (lambda: charts.choropleth(fig.by_municipality, names, uid=f"{prefix}-kaart", title=_("Kaart: %(t)s per gemeente") % {"t": fig.title}))
        if len(fig.by_municipality) > 1
        else "",
    }


def _filter_key(request: HttpRequest, region: Region, place: Municipality | None, query: QueryDict | None = None) -> str:
    # The filter bar depends on the query, the region's districts, the years with data
    # (data version) and the language; rendering its select widgets costs more than the page.
    raw = f"{(query or request.GET).urlencode()}|{region.pk}|{place.pk if place else ''}|{selectors.data_version()}|{request.LANGUAGE_CODE}"
    return hashlib.sha256(raw.encode()).hexdigest()


def _fragment_key(request: HttpRequest, fig_key: str, place: Municipality | None, query: QueryDict | None = None) -> str:
    # The rendered figures depend on the figures, the links (query) and the language.
    raw = f"{fig_key}|{(query or request.GET).urlencode()}|{place.pk if place else ''}|{request.LANGUAGE_CODE}"
    return hashlib.sha256(raw.encode()).hexdigest()


def _landing_query(request: HttpRequest, region: Region) -> QueryDict:
    """The overview's query; on landing (no district chosen, not even "Hele regio") it opens on the
    user's own district: a district coordinator's, or that of the AF's municipality (issue 16 item 7)."""
    own = request.user.district
    if "district" in request.GET or own is None or own.region_id != region.pk:
        return request.GET
    query = request.GET.copy()
    query["district"] = str(own.pk)
    return query


def _render_figures(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    for row in context["risk"]:
        row["signals"] = context["fig"].by_municipality.get(row["code"], "—")
    if request.htmx and not request.htmx.boosted:
        return render(request, "monitor/_figures.html", context)
    return render(request, template, context)


@policy_view("monitor.view")
def overview(request: HttpRequest) -> HttpResponse:
    region = _region(request)
    query = _landing_query(request, region)
    form = FilterForm(query or None, region=region)
    selection = form.selection(region)
    key = selectors.figures_key(selection, protect=True)
    fig = selectors.figures(selection, protect=True, key=key)
    context = {
        "fragment_key": _fragment_key(request, key, None, query),
        "filter_key": _filter_key(request, region, None, query),
        "region": region,
        "form": form,
        "selection": selection,
        "query": query.urlencode(),
        "risk": selectors.risk_picture(selection.municipalities(), selection.year),
        "indicators": selectors.indicator_columns(),
        "can_import": policy.can(request.user, "monitor.import", region),
        **figure_context(fig),
    }
    return _render_figures(request, "monitor/overview.html", context)


@policy_view("throughput.view")
def throughput(request: HttpRequest) -> HttpResponse:
    """The signal tables' regional throughput: released months only, every figure protected."""
    org = request.user.organisation
    region = org.region if org is not None else None
    if region is None:
        raise PermissionDenied("throughput.view")
    form = ThroughputForm(request.GET or None, months=selectors.released_months())
    period = form.period()
    fig = selectors.throughput_published(region=region, first=period[0], last=period[1]) if period else None
    own = request.user.municipality is not None and policy.can(request.user, "throughput.view", request.user.municipality)
    status = 400 if request.GET and not form.is_valid() else 200
    return render(request, "monitor/throughput.html", {"form": form, "fig": fig, "region": region, "own": own}, status=status)


def _municipality_in_region(request: HttpRequest, municipality_id: int) -> tuple[Region, Municipality]:
    region = _region(request)
    municipality = get_object_or_404(Municipality, pk=municipality_id)
    if municipality.region_id != region.pk:
        raise Http404
    return region, municipality


@policy_view("monitor.view")
def municipality(request: HttpRequest, municipality_id: int) -> HttpResponse:
    region, place = _municipality_in_region(request, municipality_id)
    form = FilterForm(request.GET or None, region=region)
    selection = form.selection(region, municipality=place, district=None)
    protect = not policy.can(request.user, "monitor.unsuppressed", place)
    key = selectors.figures_key(selection, protect=protect)
    fig = selectors.figures(selection, protect=protect, key=key)
    context = {
        "fragment_key": _fragment_key(request, key, place),
        "filter_key": _filter_key(request, region, place),
        "region": region,
        "place": place,
        "form": form,
        "selection": selection,
        "query": request.GET.urlencode(),
        "risk": selectors.risk_picture([place], selection.year),
        "indicators": selectors.indicator_columns(),
        **figure_context(fig),
    }
    return _render_figures(request, "monitor/municipality.html", context)


class ExportRefused(Exception):
    """An export outside the protected set of tables; the message says why (Dutch)."""


EXPORT_PARAMETERS = {"district", "jaar", "deel", "indeling", "bron", "eenheid", "gemeente"}


def _selection_for_export(request: HttpRequest) -> tuple[selectors.Selection, bool]:
    """The selection of an export, or ExportRefused: only the tables the pages publish."""
    region = _region(request)
    unknown = sorted(set(request.GET) - EXPORT_PARAMETERS)
    if unknown:
        raise ExportRefused(
            _("Deze tabel wordt niet gepubliceerd: de monitor exporteert alleen de tabellen van zijn pagina's (onbekende keuze: %(names)s).")
            % {"names": ", ".join(unknown)}
        )
    form = FilterForm(request.GET or None, region=region)
    if form.is_bound and not form.is_valid():
        problems = "; ".join(f"{form.fields[name].label}: {' '.join(errors)}" for name, errors in form.errors.items())
        raise ExportRefused(_("Deze selectie hoort niet bij de gepubliceerde tabellen: %(problems)s") % {"problems": problems})
    place = None
    gemeente = request.GET.get("gemeente", "")
    if gemeente:
        if not gemeente.isdigit():
            raise ExportRefused(_("Kies een gemeente uit de tabel van de regio."))
        _r, place = _municipality_in_region(request, int(gemeente))
    selection = form.selection(region, municipality=place) if place else form.selection(region)
    protect = place is None or not policy.can(request.user, "monitor.unsuppressed", place)
    return selection, protect


@policy_view("monitor.view")
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in {"csv", "xlsx"}:
        raise Http404
    try:
        selection, protect = _selection_for_export(request)
    except ExportRefused as exc:
        return render(request, "monitor/export_refused.html", {"reason": str(exc)}, status=400)
    fig = selectors.figures(selection, protect=protect)
    if fig.empty:
        reason = _("Voor deze periode zijn nog geen cijfers vrijgegeven. %(note)s") % {"note": fig.note}
        return render(request, "monitor/export_refused.html", {"reason": reason}, status=400)
    blocks = selectors.export_rows(fig)
    if protect and selection.district is None:
        # persons sits above the monitor (.importlinter): imported where its block is added
        from ketenzicht.persons import selectors as persons

        blocks.append(persons.export_block(selection.region))
    audit_record(actor=request.user, action=AuditAction.EXPORT, object_type="monitor.export", object_id=selection.key(), object_label=fmt)
    filename = f"monitor-{selection.region.slug}-{selection.year or 'alle-jaren'}{selection.part}"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        for title, rows in blocks:
            writer.writerow([title])
            writer.writerows(rows)
            writer.writerow([])
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = "Monitor"
        for title, rows in blocks:
            sheet.append([title])
            for row in rows:
                sheet.append(row)
            sheet.append([])
        out = io.BytesIO()
        book.save(out)
        response = HttpResponse(out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


@policy_view("monitor.view")
def report_pdf(request: HttpRequest) -> HttpResponse:
    region = _region(request)
    form = FilterForm(request.GET or None, region=region)
    selection = form.selection(region)
    pdf = report.render_pdf(region=region, year=selection.year, part=selection.part, district=selection.district)
    audit_record(actor=request.user, action=AuditAction.EXPORT, object_type="monitor.rapport", object_id=selection.key(), object_label="pdf")
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"monitor-{region.slug}-{selection.year or 'alle-jaren'}{selection.part}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@policy_view("monitor.import")
def imports(request: HttpRequest) -> HttpResponse:
    org = request.user.organisation
    form = UploadForm(request.POST or None, request.FILES or None, region_slug=org.region.slug if org is not None and org.region_id else None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["bestand"]
        try:
            result = services.import_file(actor=request.user, source=form.cleaned_data["bron"], file_name=upload.name, data=upload.read())
        except ServiceError as exc:
            form.add_error("bron", str(exc))
        else:
            if result.already_imported:
                messages.info(request, _("Dit bestand is al eerder geïmporteerd voor deze bron; het telt één keer mee."))
            elif result.accepted:
                messages.success(request, _("Import geaccepteerd: %(n)s regels.") % {"n": result.record.row_count})
            else:
                messages.error(request, _("Import afgewezen: er is niets ingelezen. Herstel de fouten hieronder en lever het bestand opnieuw aan."))
            return redirect("monitor:import_detail", import_id=result.record.pk)
    records = policy.imports_visible_to(request.user, Import.objects.select_related("source")).order_by("-uploaded_at")[:100]
    status = 400 if form.errors else 200
    return render(request, "monitor/imports.html", {"form": form, "records": records}, status=status)


def _import_of_region(request: HttpRequest, import_id: str) -> Import:
    """An import of the user's own region; another region's does not exist for them (404)."""
    record = get_object_or_404(Import.objects.select_related("source", "region"), pk=import_id)
    if not policy.can(request.user, "monitor.import", record):
        raise Http404
    return record


@policy_view("monitor.import")
def import_detail(request: HttpRequest, import_id: str, withdraw_form: WithdrawForm | None = None, status: int = 200) -> HttpResponse:
    record = _import_of_region(request, import_id)
    context = {
        "record": record,
        "withdraw_form": withdraw_form or WithdrawForm(),
        "can_withdraw": record.status == ImportStatus.GEACCEPTEERD,
    }
    return render(request, "monitor/import_detail.html", context, status=status)


@require_POST
@policy_view("monitor.import")
def import_withdraw(request: HttpRequest, import_id: str) -> HttpResponse:
    record = _import_of_region(request, import_id)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.import_withdraw(actor=request.user, record=record, reason=form.cleaned_data["reden"])
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("De import is ingetrokken; de cijfers tellen niet meer mee."))
            return redirect("monitor:import_detail", import_id=record.pk)
    return import_detail(request, import_id, withdraw_form=form, status=400)
