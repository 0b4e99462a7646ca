"""Streamlit helpers for the pages: cached data access, filters, cards, charts with downloads, notices."""
