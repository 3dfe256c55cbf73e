"""Files: upload validation, text extraction; storage itself lives in `salesbot.kit.storage`."""
