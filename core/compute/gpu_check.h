#pragma once

// Runs the device self-check kernel on a GPU: loads the back-end module
// (libbioforge_gpu_cuda.so or libbioforge_gpu_hip.so, beside the core
// library) with dlopen, so the workbench never needs a GPU runtime to start.

#include "compute/device_info.h"
#include "util/expected.h"

namespace bioforge::core {

class GpuCheck {
public:
    struct Result {
        bool moduleLoaded = false; // the back-end module and its runtime loaded
        int deviceCount = 0;       // devices the runtime reports
        int code = -1;             // 0 = the kernel ran and was correct, 2 = no device
        QString message;
    };
    static Result run(DeviceKind kind, int device);
    static QString moduleFolder();
};

} // namespace bioforge::core
