"""Proof that lasts: the evidence bundle and its check, the PDF receipt, Meta's replies by
email, the one-month deadline, follow-up letters and exports."""
