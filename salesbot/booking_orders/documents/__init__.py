"""Booking-order documents: the Excel form and its templates, the PDF form, the stamp, and the
final approval documents (pure: bytes in, bytes out; no database, storage or clock)."""
