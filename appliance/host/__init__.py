"""The machine the appliance runs on: its names and addresses, certificate, systemd, health."""
