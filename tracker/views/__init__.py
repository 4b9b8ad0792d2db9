"""The public site's views, one module per concept; each gathers input, asks the domain and picks a template."""
