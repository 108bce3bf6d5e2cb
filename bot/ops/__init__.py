"""Running ptm-bot as a service: health, metrics, logs, one poller among many, publishing the list."""
