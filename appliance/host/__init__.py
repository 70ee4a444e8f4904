"""The machine around the appliance: its names and addresses, TLS certificate, systemd notify/watchdog, mDNS,
health readings."""
