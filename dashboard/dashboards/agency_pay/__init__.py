"""The agency pay dashboard: page, view, data, metrics, figures and returns."""
