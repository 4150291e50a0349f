"""hullguard as a service: the Kubernetes admission webhook (HTTPS, app factory, no globals)."""
