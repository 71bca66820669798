"""The annual report's figures, worked out from each escalation's trail, and its formats (text,
HTML with charts, XLSX); the trail's CSV export."""
