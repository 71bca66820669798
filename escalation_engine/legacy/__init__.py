"""Earlier systems' records brought in: spreadsheets read with limits, columns mapped to fields,
and every row checked before anything is written."""
