"""Reading and filling Meta's pages: the Flow and Watch base classes, the label sets and
their wording per language, the verdict on an answer, and the scripts run in the page."""
