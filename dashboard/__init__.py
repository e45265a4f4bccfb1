"""London Children's Services Dashboards."""
