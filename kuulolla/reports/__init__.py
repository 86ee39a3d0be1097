"""Reports and statistics: minimal event records, aggregation, dashboard, exports."""
