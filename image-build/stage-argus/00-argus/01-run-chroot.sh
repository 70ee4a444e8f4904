#!/bin/bash -e
# Runs inside the image: install Argus exactly as on a running Pi, minus starting it.
bash /var/tmp/argus-src/scripts/install.sh --no-start
rm -rf /var/tmp/argus-src
# Drop apt's and pip's downloads from the image.
apt-get clean
