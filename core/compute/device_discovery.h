#pragma once

// Finds compute devices at run time. GPU runtimes are loaded with dlopen
// (libcuda.so.1, libamdhip64.so), so a machine or build without them works
// and says why no GPU was found.

#include "compute/device_info.h"

namespace bioforge::core {

class DeviceDiscovery {
public:
    // Cached after the first call; thread-safe.
    static const DeviceReport& report();
    static DeviceReport discover();

    static DeviceInfo cpu();
    static void discoverCuda(DeviceReport& report);
    static void discoverHip(DeviceReport& report);
};

} // namespace bioforge::core
