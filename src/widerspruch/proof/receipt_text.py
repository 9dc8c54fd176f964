"""The receipt's style, and its words in each language.

The words live in ``widerspruch.proof.receipt_texts``, one module per language (``TEXT``
keyed by phrase, the status line by `Status`; ``MONTHS`` for long dates); they are
re-exported here. ``BADGE`` is the badge's colour class per status (amber when absent);
``CSS`` the page's inline style sheet. Used by `widerspruch.proof.receipt`.
"""

from __future__ import annotations

from widerspruch.proof.receipt_texts import DATE, MONTHS, TEXT, TIME_SUFFIX
from widerspruch.states import Status

__all__ = ["BADGE", "CSS", "DATE", "MONTHS", "TEXT", "TIME_SUFFIX"]

BADGE = {
    Status.CONFIRMED: "ok",
    Status.ACKNOWLEDGED: "ok",
    Status.REJECTED: "bad",
}

CSS = """
@page { size: A4; margin: 16mm 18mm 20mm 18mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; color: #1d2433; font: 10pt/1.5 "Helvetica Neue", Helvetica, Arial,
       "Liberation Sans", "DejaVu Sans", sans-serif; }
.top { display: flex; justify-content: space-between; align-items: baseline;
       border-bottom: 2.5pt solid #1e4d78; padding-bottom: 2.5mm; }
.brand { font-weight: 700; letter-spacing: .02em; color: #1e4d78; font-size: 11pt; }
.brand span { color: #6b7588; font-weight: 400; margin-left: 2mm; text-transform: uppercase;
              letter-spacing: .12em; font-size: 8pt; }
.number { color: #6b7588; font-size: 9pt; }
.number b { color: #1d2433; font-size: 11pt; }
h1 { font: 600 21pt/1.2 Georgia, "Liberation Serif", "DejaVu Serif", serif;
     margin: 7mm 0 1.5mm; color: #14233a; }
.sub { font-size: 12pt; color: #3c4659; margin: 0 0 4mm; }
.badge { display: inline-block; padding: 1.2mm 3.5mm; border-radius: 10mm; font-weight: 700;
         font-size: 9.5pt; background: #fff4d6; color: #7a5200; border: .6pt solid #e8c66a; }
.badge.ok { background: #e3f4e8; color: #1d6b38; border-color: #9fd3ae; }
.badge.bad { background: #fbe4e4; color: #9b1c1c; border-color: #eea9a9; }
.badge::before { content: "●"; margin-right: 1.8mm; font-size: 8pt; }
.badge.ok::before { content: "✓"; font-size: 10pt; }
table.facts { width: 100%; border-collapse: collapse; margin: 6mm 0 2mm; }
.facts th { width: 34mm; text-align: left; vertical-align: top; font-weight: 600;
            color: #6b7588; font-size: 8.5pt; text-transform: uppercase; letter-spacing: .06em;
            padding: 2.2mm 4mm 2.2mm 0; }
.facts td { padding: 2mm 0; vertical-align: top; }
.facts tr + tr th, .facts tr + tr td { border-top: .5pt solid #dde2ea; }
.facts .big { font-size: 12pt; font-weight: 600; }
.facts .small { color: #6b7588; font-size: 9pt; }
h2 { font-size: 9pt; text-transform: uppercase; letter-spacing: .12em; color: #1e4d78;
     margin: 6mm 0 2mm; padding-bottom: 1mm; border-bottom: .5pt solid #c9d3e0; }
p { margin: 0 0 2.2mm; }
section { break-inside: avoid; }
blockquote { margin: 0; padding: 3mm 4mm; background: #f5f7fa; border-left: 2pt solid #1e4d78;
             font-size: 9.5pt; white-space: pre-wrap; }
figure { margin: 0; text-align: center; }
figure img { max-width: 100%; max-height: 88mm; border: .5pt solid #c9d3e0; border-radius: 1mm; }
code, .hash { font-family: "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace;
              font-size: 8.5pt; }
.hash { display: block; margin: 1mm 0 2.5mm; padding: 2.5mm 4mm; background: #f5f7fa;
        border: .5pt solid #c9d3e0; border-radius: 1mm; font-size: 10pt; letter-spacing: .04em;
        word-break: break-all; }
ul.replies { margin: 0; padding-left: 5mm; }
.badge.demo { background: #ece8f7; color: #4b2d8f; border-color: #b9a9e3; }
/* Fixed: printed on every page, over everything. */
.watermark { position: fixed; top: 45%; left: 0; right: 0; text-align: center;
             transform: rotate(-30deg); font: 700 30pt/1 Helvetica, Arial, "Liberation Sans",
             "DejaVu Sans", sans-serif; color: rgba(75, 45, 143, .16); letter-spacing: .04em;
             white-space: nowrap; z-index: 10; pointer-events: none; }
section.help { margin-top: 8mm; padding: 2mm 4mm 3mm; border: .8pt dashed #9aa5b8;
               border-radius: 1mm; background: #fafbfc; }
section.help h2 { color: #6b7588; border-bottom-color: #dde2ea; margin-top: 2mm; }
section.help .small { color: #6b7588; font-size: 8.5pt; }
section.help ul { margin: 0; padding-left: 5mm; }
"""
