"""The machine around the appliance: systemd notify/watchdog, mDNS, health readings."""
