"""A subject-access export as a PDF, for a council that sends records as PDF: the same words and
order as the HTML file (``reports/subject_access``), written from the same JSON.

Set in DejaVu Sans, the font the charts' library already ships, so any name (Łukasz, Siobhán,
Nguyễn) prints as written; the file carries its title and language for screen readers."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from escalation_engine.reports.subject_access import ABOUT, counted, facts, naming, others


def _fonts() -> Path:
    """The folder of DejaVu Sans in the installed charting library (found without importing
    it, which would take longer than writing the file)."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("matplotlib, which the PDF's font comes with, is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"


def document(export: dict[str, Any]) -> bytes:
    """The whole export as the bytes of one PDF file."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    fonts = _fonts()
    pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
    case = export["case"]
    pdf.set_title(f"Records about {case}")
    pdf.set_lang("en-GB")
    pdf.set_creator("IRO escalations")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_margins(20, 18, 20)
    pdf.add_page()

    def heading(text: str, size: float) -> None:
        pdf.set_font("DejaVu", "B", size)
        pdf.multi_cell(0, size * 0.55, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)

    def para(text: str, size: float = 11, bold: bool = False) -> None:
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pdf.multi_cell(0, 5.5, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)

    heading(f"Records about {case}", 20)
    para(
        "These are all the records the Independent Reviewing Officer service's escalation system"
        f" holds about the child with case reference {case}: {counted(export)}, as they stood on"
        f" {export['produced']}. {naming(export)}"
    )
    heading("What an escalation is", 14)
    para(ABOUT)
    for one in export["escalations"]:
        pdf.add_page()
        heading(f"Escalation {one['reference']}: {one['category']}", 14)
        for label, value in facts(one):
            pdf.set_font("DejaVu", "B", 11)
            pdf.cell(38, 5.5, label)
            pdf.set_font("DejaVu", "", 11)
            pdf.multi_cell(0, 5.5, value, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        if one["other_children"]:
            para(others(one))
        heading("What happened", 12)
        for n, step in enumerate(one["timeline"], 1):
            moved = f" ({step['stage']})" if step["stage"] and step["stage"] != "-" else ""
            para(f"{n}. {step['when']}: {step['who']}: {step['what']}{moved}", bold=True)
            for line in [step["note"], *step["details"]]:
                if line:
                    pdf.set_x(26)
                    pdf.set_font("DejaVu", "", 11)
                    pdf.multi_cell(0, 5.5, line, new_x="LMARGIN", new_y="NEXT")
            if step["told"]:
                pdf.set_x(26)
                pdf.multi_cell(0, 5.5, f"Told: {', '.join(step['told'])}", new_x="LMARGIN",
                               new_y="NEXT")  # fmt: skip
            pdf.ln(2)
        heading("Who looked at it", 12)
        if not one["looks"]:
            para("Nobody but the person who raised it has looked at it.")
        for look in one["looks"]:
            para(f"{look['when']}: {look['who']}: {look['how']}")
    pdf.ln(4)
    para(
        f"Produced by {export['produced_by']} on {export['produced']} in answer to a subject"
        " access request. Each time someone looks at these records it is recorded, and this copy"
        " was recorded too.",
        size=9,
    )
    return bytes(pdf.output())
