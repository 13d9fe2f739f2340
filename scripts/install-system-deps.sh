#!/usr/bin/env bash
# Vulkan on the CPU (Mesa lavapipe) for the WebGPU kernels. Dawn rejects bookworm's stock Mesa 22.3
# (no shaderUniform*ArrayDynamicIndexing), so mesa-vulkan-drivers must come from bookworm-backports.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null | grep -q bpo && dpkg-query -W libvulkan1 >/dev/null 2>&1; then
  echo "system deps: mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers) already installed"
  exit 0
fi
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
if ! grep -rqs "${codename}-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo "deb http://deb.debian.org/debian ${codename}-backports main" | $SUDO tee "/etc/apt/sources.list.d/${codename}-backports.list" >/dev/null
fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends -t "${codename}-backports" mesa-vulkan-drivers
$SUDO apt-get install -y -qq --no-install-recommends libvulkan1
echo "system deps: mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers)"
