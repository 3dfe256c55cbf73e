"""Booking orders: extraction, calculations, workflow, Excel/PDF documents and stamping."""
