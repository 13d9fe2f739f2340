#!/usr/bin/env bash
# System packages the test suite needs (root or sudo; Debian bookworm):
#  - Vulkan on the CPU (Mesa lavapipe) for the WebGPU kernels. Dawn rejects bookworm's stock Mesa 22.3
#    (no shaderUniform*ArrayDynamicIndexing), so mesa-vulkan-drivers must come from bookworm-backports.
#  - Chromium, to open the HTML compare report in a real browser (headless).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")

need_mesa=1
if dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null | grep -q bpo && dpkg-query -W libvulkan1 >/dev/null 2>&1; then need_mesa=0; fi
need_chromium=1
if command -v chromium >/dev/null 2>&1; then need_chromium=0; fi

if [ "$need_mesa" = 0 ] && [ "$need_chromium" = 0 ]; then
  echo "system deps: mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers), $(chromium --version 2>/dev/null) already installed"
  exit 0
fi
if ! grep -rqs "${codename}-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo "deb http://deb.debian.org/debian ${codename}-backports main" | $SUDO tee "/etc/apt/sources.list.d/${codename}-backports.list" >/dev/null
fi
$SUDO apt-get update -qq
if [ "$need_mesa" = 1 ]; then
  $SUDO apt-get install -y -qq --no-install-recommends -t "${codename}-backports" mesa-vulkan-drivers
  $SUDO apt-get install -y -qq --no-install-recommends libvulkan1
fi
if [ "$need_chromium" = 1 ]; then
  $SUDO apt-get install -y -qq --no-install-recommends chromium
fi
echo "system deps: mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers), $(chromium --version 2>/dev/null)"
