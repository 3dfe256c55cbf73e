"""Commercial rules in one place: VAT, currency rates, default fees, proposal validity."""
