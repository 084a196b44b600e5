/*
 * CCUDA: the CUDA driver, runtime, cuBLAS and NCCL loaded with dlopen, from our own minimal prototypes.
 *
 * Nothing here includes a CUDA header. Each entry point is a function-pointer typedef written from the public
 * header named beside it; handles are opaque pointers and enums are int (the C ABI of those enums). The enum
 * constants are the few values we pass, each checked against the header it comes from.
 */
#include "ccuda.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- Constants ---------------------------------------------------------------------------------------- */

/* cuda.h: CUresult CUDA_SUCCESS = 0. driver_types.h: cudaError_t cudaSuccess = 0. cublas_api.h:
 * cublasStatus_t CUBLAS_STATUS_SUCCESS = 0. nccl.h: ncclResult_t ncclSuccess = 0. */
#define OK_CODE 0
/* driver_types.h: cudaErrorPeerAccessAlreadyEnabled = 704 (harmless when enabling peer access twice). */
#define CUDA_ERROR_PEER_ACCESS_ALREADY_ENABLED 704
/* cublas_api.h: cublasOperation_t CUBLAS_OP_N = 0. */
#define CUBLAS_OP_N 0
/* library_types.h: cudaDataType_t CUDA_R_32F = 0, CUDA_R_16F = 2, CUDA_R_16BF = 14. */
#define CUDA_R_32F 0
#define CUDA_R_16F 2
#define CUDA_R_16BF 14
/* cublas_api.h (CUDA >= 11): cublasComputeType_t CUBLAS_COMPUTE_32F = 68 (fp32 accumulate; no TF32). */
#define CUBLAS_COMPUTE_32F 68
/* cublas_api.h: cublasGemmAlgo_t CUBLAS_GEMM_DEFAULT = -1. */
#define CUBLAS_GEMM_DEFAULT (-1)
/* nccl.h: ncclDataType_t ncclFloat32 = 7 (= ncclFloat); ncclRedOp_t ncclSum = 0. */
#define NCCL_FLOAT32 7
#define NCCL_SUM 0

/* ---- Prototypes (function-pointer typedefs) ---------------------------------------------------------- */

/* cuda.h (driver API; CUdevice is int). */
typedef int (*cuInit_fn)(unsigned int flags);
typedef int (*cuDriverGetVersion_fn)(int *version);
typedef int (*cuDeviceGetCount_fn)(int *count);
typedef int (*cuDeviceGet_fn)(int *device, int ordinal);
typedef int (*cuDeviceGetName_fn)(char *name, int len, int device);
typedef int (*cuGetErrorString_fn)(int error, const char **str); /* optional */

/* cuda_runtime_api.h (cudaStream_t, cudaEvent_t are opaque pointers; cudaMemcpyKind is int). */
typedef int (*cudaGetDeviceCount_fn)(int *count);
typedef int (*cudaSetDevice_fn)(int device);
typedef int (*cudaDeviceSynchronize_fn)(void);
typedef int (*cudaRuntimeGetVersion_fn)(int *version);
typedef int (*cudaDriverGetVersion_fn)(int *version);
typedef const char *(*cudaGetErrorString_fn)(int error);
typedef int (*cudaGetLastError_fn)(void);
typedef int (*cudaMemGetInfo_fn)(size_t *free_bytes, size_t *total_bytes);
typedef int (*cudaMalloc_fn)(void **ptr, size_t bytes);
typedef int (*cudaFree_fn)(void *ptr);
typedef int (*cudaMallocHost_fn)(void **ptr, size_t bytes);
typedef int (*cudaFreeHost_fn)(void *ptr);
typedef int (*cudaMemset_fn)(void *ptr, int value, size_t bytes);
typedef int (*cudaMemcpyAsync_fn)(void *dst, const void *src, size_t bytes, int kind, void *stream);
typedef int (*cudaDeviceCanAccessPeer_fn)(int *can, int device, int peer);
typedef int (*cudaDeviceEnablePeerAccess_fn)(int peer, unsigned int flags);
typedef int (*cudaMemcpyPeerAsync_fn)(void *dst, int dst_device, const void *src, int src_device, size_t bytes,
                                      void *stream);
typedef int (*cudaStreamCreate_fn)(void **stream);
typedef int (*cudaStreamDestroy_fn)(void *stream);
typedef int (*cudaStreamSynchronize_fn)(void *stream);
typedef int (*cudaStreamWaitEvent_fn)(void *stream, void *event, unsigned int flags);
typedef int (*cudaEventCreate_fn)(void **event);
typedef int (*cudaEventDestroy_fn)(void *event);
typedef int (*cudaEventRecord_fn)(void *event, void *stream);
typedef int (*cudaEventSynchronize_fn)(void *event);
typedef int (*cudaEventElapsedTime_fn)(float *ms, void *start, void *end);

/* cublas_api.h: the _v2 entry points (cublas_v2.h maps cublasCreate etc. onto them) and cublasGemmEx. */
typedef int (*cublasCreate_fn)(void **handle);
typedef int (*cublasDestroy_fn)(void *handle);
typedef int (*cublasSetStream_fn)(void *handle, void *stream);
typedef int (*cublasGemmEx_fn)(void *handle, int transa, int transb, int m, int n, int k, const void *alpha,
                               const void *a, int atype, int lda, const void *b, int btype, int ldb,
                               const void *beta, void *c, int ctype, int ldc, int compute_type, int algo);
typedef const char *(*cublasGetStatusString_fn)(int status); /* optional (cuBLAS >= 11.4) */

/* nccl.h (ncclComm_t is an opaque pointer). */
typedef int (*ncclCommInitAll_fn)(void **comms, int ndev, const int *devlist);
typedef int (*ncclCommDestroy_fn)(void *comm);
typedef int (*ncclGroupStart_fn)(void);
typedef int (*ncclGroupEnd_fn)(void);
typedef int (*ncclAllReduce_fn)(const void *send, void *recv, size_t count, int datatype, int op, void *comm,
                                void *stream);
typedef const char *(*ncclGetErrorString_fn)(int result);
typedef int (*ncclGetVersion_fn)(int *version);

/* ---- The loaded API ---------------------------------------------------------------------------------- */

struct ccuda_api {
    void *libcuda, *libcudart, *libcublas, *libnccl;
    char names[512];
    int loaded, has_nccl;

    cuInit_fn cuInit;
    cuDriverGetVersion_fn cuDriverGetVersion;
    cuDeviceGetCount_fn cuDeviceGetCount;
    cuDeviceGet_fn cuDeviceGet;
    cuDeviceGetName_fn cuDeviceGetName;
    cuGetErrorString_fn cuGetErrorString;

    cudaGetDeviceCount_fn cudaGetDeviceCount;
    cudaSetDevice_fn cudaSetDevice;
    cudaDeviceSynchronize_fn cudaDeviceSynchronize;
    cudaRuntimeGetVersion_fn cudaRuntimeGetVersion;
    cudaDriverGetVersion_fn cudaDriverGetVersion;
    cudaGetErrorString_fn cudaGetErrorString;
    cudaGetLastError_fn cudaGetLastError;
    cudaMemGetInfo_fn cudaMemGetInfo;
    cudaMalloc_fn cudaMalloc;
    cudaFree_fn cudaFree;
    cudaMallocHost_fn cudaMallocHost;
    cudaFreeHost_fn cudaFreeHost;
    cudaMemset_fn cudaMemset;
    cudaMemcpyAsync_fn cudaMemcpyAsync;
    cudaDeviceCanAccessPeer_fn cudaDeviceCanAccessPeer;
    cudaDeviceEnablePeerAccess_fn cudaDeviceEnablePeerAccess;
    cudaMemcpyPeerAsync_fn cudaMemcpyPeerAsync;
    cudaStreamCreate_fn cudaStreamCreate;
    cudaStreamDestroy_fn cudaStreamDestroy;
    cudaStreamSynchronize_fn cudaStreamSynchronize;
    cudaStreamWaitEvent_fn cudaStreamWaitEvent;
    cudaEventCreate_fn cudaEventCreate;
    cudaEventDestroy_fn cudaEventDestroy;
    cudaEventRecord_fn cudaEventRecord;
    cudaEventSynchronize_fn cudaEventSynchronize;
    cudaEventElapsedTime_fn cudaEventElapsedTime;

    cublasCreate_fn cublasCreate;
    cublasDestroy_fn cublasDestroy;
    cublasSetStream_fn cublasSetStream;
    cublasGemmEx_fn cublasGemmEx;
    cublasGetStatusString_fn cublasGetStatusString;

    ncclCommInitAll_fn ncclCommInitAll;
    ncclCommDestroy_fn ncclCommDestroy;
    ncclGroupStart_fn ncclGroupStart;
    ncclGroupEnd_fn ncclGroupEnd;
    ncclAllReduce_fn ncclAllReduce;
    ncclGetErrorString_fn ncclGetErrorString;
    ncclGetVersion_fn ncclGetVersion;
};

static struct ccuda_api api;
static _Thread_local char last_error[512];

const char *ccuda_last_error(void) { return last_error; }
int ccuda_is_loaded(void) { return api.loaded; }
int ccuda_has_nccl(void) { return api.loaded && api.has_nccl; }

void ccuda_loaded_libraries(char *buf, size_t len) {
    if (buf == NULL || len == 0) return;
    snprintf(buf, len, "%s", api.names);
}

/* ---- Error reporting --------------------------------------------------------------------------------- */

static void appendf(char *buf, size_t len, const char *fmt, ...) {
    if (buf == NULL || len == 0) return;
    size_t used = strlen(buf);
    if (used + 1 >= len) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, len - used, fmt, ap);
    va_end(ap);
}

static int fail_runtime(const char *fn, int code) {
    const char *s = api.cudaGetErrorString ? api.cudaGetErrorString(code) : NULL;
    snprintf(last_error, sizeof last_error, "%s failed: error %d (%s)", fn, code, s ? s : "no error string");
    return CCUDA_FAILED;
}

static int fail_driver(const char *fn, int code) {
    const char *s = NULL;
    if (api.cuGetErrorString == NULL || api.cuGetErrorString(code, &s) != OK_CODE) s = NULL;
    snprintf(last_error, sizeof last_error, "%s failed: error %d (%s)", fn, code, s ? s : "no error string");
    return CCUDA_FAILED;
}

static int fail_cublas(const char *fn, int code) {
    const char *s = api.cublasGetStatusString ? api.cublasGetStatusString(code) : NULL;
    snprintf(last_error, sizeof last_error, "%s failed: cublasStatus_t %d (%s)", fn, code, s ? s : "no error string");
    return CCUDA_FAILED;
}

static int fail_nccl(const char *fn, int code) {
    const char *s = api.ncclGetErrorString ? api.ncclGetErrorString(code) : NULL;
    snprintf(last_error, sizeof last_error, "%s failed: ncclResult_t %d (%s)", fn, code, s ? s : "no error string");
    return CCUDA_FAILED;
}

static int not_loaded(void) {
    snprintf(last_error, sizeof last_error, "CUDA is not loaded (call ccuda_load first)");
    return CCUDA_UNAVAILABLE;
}

static int no_nccl(void) {
    snprintf(last_error, sizeof last_error, "NCCL is not loaded (libnccl.so.2 not found)");
    return CCUDA_UNAVAILABLE;
}

#define NEED_LOADED() do { if (!api.loaded) return not_loaded(); } while (0)
#define NEED_NCCL() do { if (!api.loaded) return not_loaded(); if (!api.has_nccl) return no_nccl(); } while (0)
#define CHECK_RT(name, call) do { int e_ = (call); if (e_ != OK_CODE) return fail_runtime(name, e_); } while (0)
#define CHECK_DRV(name, call) do { int e_ = (call); if (e_ != OK_CODE) return fail_driver(name, e_); } while (0)
#define CHECK_BLAS(name, call) do { int e_ = (call); if (e_ != OK_CODE) return fail_cublas(name, e_); } while (0)
#define CHECK_NCCL(name, call) do { int e_ = (call); if (e_ != OK_CODE) return fail_nccl(name, e_); } while (0)

/* ---- Loading ----------------------------------------------------------------------------------------- */

/* Opens the first of names that loads; on failure appends "could not load WHAT (tried a, b; dlerror: ...)". */
static void *open_first(const char *what, const char *const *names, int count, char *err, size_t errlen) {
    const char *last = "unknown error";
    char last_copy[256] = "";
    for (int i = 0; i < count; i++) {
        void *h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
        if (h != NULL) {
            appendf(api.names, sizeof api.names, "%s%s", api.names[0] ? "; " : "", names[i]);
            return h;
        }
        const char *e = dlerror();
        if (e != NULL) {
            snprintf(last_copy, sizeof last_copy, "%s", e);
            last = last_copy;
        }
    }
    if (err != NULL && errlen > 0) {
        appendf(err, errlen, "%scould not load %s (tried ", err[0] ? "; " : "", what);
        for (int i = 0; i < count; i++) appendf(err, errlen, "%s%s", i ? ", " : "", names[i]);
        appendf(err, errlen, "; dlerror: %s)", last);
    }
    return NULL;
}

/* Resolves one symbol; a missing required one is reported in err. */
static void *sym(void *lib, const char *libname, const char *name, int required, int *missing, char *err,
                 size_t errlen) {
    dlerror();
    void *p = lib ? dlsym(lib, name) : NULL;
    if (p == NULL && required) {
        if (*missing == 0 && err != NULL && errlen > 0)
            appendf(err, errlen, "%ssymbol %s not found in %s", err[0] ? "; " : "", name, libname);
        *missing += 1;
    }
    return p;
}

static void close_all(void) {
    if (api.libnccl) dlclose(api.libnccl);
    if (api.libcublas) dlclose(api.libcublas);
    if (api.libcudart) dlclose(api.libcudart);
    if (api.libcuda) dlclose(api.libcuda);
    memset(&api, 0, sizeof api);
}

int ccuda_load(char *err, size_t errlen) {
    char scratch[16];
    if (err == NULL || errlen == 0) {
        err = scratch;
        errlen = sizeof scratch;
    }
    err[0] = '\0';
    if (api.loaded) return CCUDA_OK;
    memset(&api, 0, sizeof api);

    static const char *const cuda_names[] = {"libcuda.so.1"};
    static const char *const cudart_names[] = {"libcudart.so", "libcudart.so.13", "libcudart.so.12", "libcudart.so.11.0"};
    static const char *const cublas_names[] = {"libcublas.so", "libcublas.so.13", "libcublas.so.12", "libcublas.so.11"};
    static const char *const nccl_names[] = {"libnccl.so.2"};

    /* Try all three required libraries so that one message lists everything missing. */
    api.libcuda = open_first("the CUDA driver libcuda", cuda_names, 1, err, errlen);
    api.libcudart = open_first("the CUDA runtime libcudart", cudart_names, 4, err, errlen);
    api.libcublas = open_first("cuBLAS libcublas", cublas_names, 4, err, errlen);
    if (!api.libcuda || !api.libcudart || !api.libcublas) {
        close_all();
        return CCUDA_UNAVAILABLE;
    }
    api.libnccl = open_first("NCCL", nccl_names, 1, NULL, 0); /* optional */

    int missing = 0;
#define REQ(lib, libname, field, name) api.field = (__typeof__(api.field))sym(lib, libname, name, 1, &missing, err, errlen)
#define OPT(lib, libname, field, name) api.field = (__typeof__(api.field))sym(lib, libname, name, 0, &missing, err, errlen)
    REQ(api.libcuda, "libcuda", cuInit, "cuInit");
    REQ(api.libcuda, "libcuda", cuDriverGetVersion, "cuDriverGetVersion");
    REQ(api.libcuda, "libcuda", cuDeviceGetCount, "cuDeviceGetCount");
    REQ(api.libcuda, "libcuda", cuDeviceGet, "cuDeviceGet");
    REQ(api.libcuda, "libcuda", cuDeviceGetName, "cuDeviceGetName");
    OPT(api.libcuda, "libcuda", cuGetErrorString, "cuGetErrorString");

    REQ(api.libcudart, "libcudart", cudaGetDeviceCount, "cudaGetDeviceCount");
    REQ(api.libcudart, "libcudart", cudaSetDevice, "cudaSetDevice");
    REQ(api.libcudart, "libcudart", cudaDeviceSynchronize, "cudaDeviceSynchronize");
    REQ(api.libcudart, "libcudart", cudaRuntimeGetVersion, "cudaRuntimeGetVersion");
    REQ(api.libcudart, "libcudart", cudaDriverGetVersion, "cudaDriverGetVersion");
    REQ(api.libcudart, "libcudart", cudaGetErrorString, "cudaGetErrorString");
    REQ(api.libcudart, "libcudart", cudaGetLastError, "cudaGetLastError");
    REQ(api.libcudart, "libcudart", cudaMemGetInfo, "cudaMemGetInfo");
    REQ(api.libcudart, "libcudart", cudaMalloc, "cudaMalloc");
    REQ(api.libcudart, "libcudart", cudaFree, "cudaFree");
    REQ(api.libcudart, "libcudart", cudaMallocHost, "cudaMallocHost");
    REQ(api.libcudart, "libcudart", cudaFreeHost, "cudaFreeHost");
    REQ(api.libcudart, "libcudart", cudaMemset, "cudaMemset");
    REQ(api.libcudart, "libcudart", cudaMemcpyAsync, "cudaMemcpyAsync");
    REQ(api.libcudart, "libcudart", cudaDeviceCanAccessPeer, "cudaDeviceCanAccessPeer");
    REQ(api.libcudart, "libcudart", cudaDeviceEnablePeerAccess, "cudaDeviceEnablePeerAccess");
    REQ(api.libcudart, "libcudart", cudaMemcpyPeerAsync, "cudaMemcpyPeerAsync");
    REQ(api.libcudart, "libcudart", cudaStreamCreate, "cudaStreamCreate");
    REQ(api.libcudart, "libcudart", cudaStreamDestroy, "cudaStreamDestroy");
    REQ(api.libcudart, "libcudart", cudaStreamSynchronize, "cudaStreamSynchronize");
    REQ(api.libcudart, "libcudart", cudaStreamWaitEvent, "cudaStreamWaitEvent");
    REQ(api.libcudart, "libcudart", cudaEventCreate, "cudaEventCreate");
    REQ(api.libcudart, "libcudart", cudaEventDestroy, "cudaEventDestroy");
    REQ(api.libcudart, "libcudart", cudaEventRecord, "cudaEventRecord");
    REQ(api.libcudart, "libcudart", cudaEventSynchronize, "cudaEventSynchronize");
    REQ(api.libcudart, "libcudart", cudaEventElapsedTime, "cudaEventElapsedTime");

    REQ(api.libcublas, "libcublas", cublasCreate, "cublasCreate_v2");
    REQ(api.libcublas, "libcublas", cublasDestroy, "cublasDestroy_v2");
    REQ(api.libcublas, "libcublas", cublasSetStream, "cublasSetStream_v2");
    REQ(api.libcublas, "libcublas", cublasGemmEx, "cublasGemmEx");
    OPT(api.libcublas, "libcublas", cublasGetStatusString, "cublasGetStatusString");
    if (missing) {
        close_all();
        return CCUDA_UNAVAILABLE;
    }

    if (api.libnccl) {
        int nccl_missing = 0;
        char ignored[256] = "";
        api.ncclCommInitAll = (ncclCommInitAll_fn)sym(api.libnccl, "libnccl", "ncclCommInitAll", 1, &nccl_missing, ignored, sizeof ignored);
        api.ncclCommDestroy = (ncclCommDestroy_fn)sym(api.libnccl, "libnccl", "ncclCommDestroy", 1, &nccl_missing, ignored, sizeof ignored);
        api.ncclGroupStart = (ncclGroupStart_fn)sym(api.libnccl, "libnccl", "ncclGroupStart", 1, &nccl_missing, ignored, sizeof ignored);
        api.ncclGroupEnd = (ncclGroupEnd_fn)sym(api.libnccl, "libnccl", "ncclGroupEnd", 1, &nccl_missing, ignored, sizeof ignored);
        api.ncclAllReduce = (ncclAllReduce_fn)sym(api.libnccl, "libnccl", "ncclAllReduce", 1, &nccl_missing, ignored, sizeof ignored);
        api.ncclGetErrorString = (ncclGetErrorString_fn)sym(api.libnccl, "libnccl", "ncclGetErrorString", 1, &nccl_missing, ignored, sizeof ignored);
        api.ncclGetVersion = (ncclGetVersion_fn)sym(api.libnccl, "libnccl", "ncclGetVersion", 1, &nccl_missing, ignored, sizeof ignored);
        api.has_nccl = nccl_missing == 0;
    }
#undef REQ
#undef OPT

    /* A driver library without a usable device: say which call reported it. */
    int code = api.cuInit(0);
    if (code != OK_CODE) {
        const char *s = NULL;
        if (api.cuGetErrorString == NULL || api.cuGetErrorString(code, &s) != OK_CODE) s = NULL;
        appendf(err, errlen, "cuInit returned error %d (%s)", code, s ? s : "no error string");
        close_all();
        return CCUDA_UNAVAILABLE;
    }
    int count = 0;
    code = api.cuDeviceGetCount(&count);
    if (code != OK_CODE || count <= 0) {
        if (code != OK_CODE) appendf(err, errlen, "cuDeviceGetCount returned error %d", code);
        else appendf(err, errlen, "cuDeviceGetCount returned 0 devices");
        close_all();
        return CCUDA_UNAVAILABLE;
    }
    count = 0;
    code = api.cudaGetDeviceCount(&count);
    if (code != OK_CODE || count <= 0) {
        if (code != OK_CODE)
            appendf(err, errlen, "cudaGetDeviceCount returned error %d (%s)", code, api.cudaGetErrorString(code));
        else appendf(err, errlen, "cudaGetDeviceCount returned 0 devices");
        close_all();
        return CCUDA_UNAVAILABLE;
    }
    api.loaded = 1;
    return CCUDA_OK;
}

/* ---- Queries ----------------------------------------------------------------------------------------- */

int ccuda_device_count(int *count) {
    NEED_LOADED();
    CHECK_RT("cudaGetDeviceCount", api.cudaGetDeviceCount(count));
    return CCUDA_OK;
}

int ccuda_device_name(int device, char *buf, int len) {
    NEED_LOADED();
    int dev = 0;
    CHECK_DRV("cuDeviceGet", api.cuDeviceGet(&dev, device));
    CHECK_DRV("cuDeviceGetName", api.cuDeviceGetName(buf, len, dev));
    return CCUDA_OK;
}

int ccuda_driver_version(int *version) {
    NEED_LOADED();
    CHECK_RT("cudaDriverGetVersion", api.cudaDriverGetVersion(version));
    return CCUDA_OK;
}

int ccuda_runtime_version(int *version) {
    NEED_LOADED();
    CHECK_RT("cudaRuntimeGetVersion", api.cudaRuntimeGetVersion(version));
    return CCUDA_OK;
}

int ccuda_nccl_version(int *version) {
    NEED_NCCL();
    CHECK_NCCL("ncclGetVersion", api.ncclGetVersion(version));
    return CCUDA_OK;
}

int ccuda_mem_info(int device, size_t *free_bytes, size_t *total_bytes) {
    NEED_LOADED();
    CHECK_RT("cudaSetDevice", api.cudaSetDevice(device));
    CHECK_RT("cudaMemGetInfo", api.cudaMemGetInfo(free_bytes, total_bytes));
    return CCUDA_OK;
}

/* ---- Runtime ----------------------------------------------------------------------------------------- */

int ccuda_set_device(int device) {
    NEED_LOADED();
    CHECK_RT("cudaSetDevice", api.cudaSetDevice(device));
    return CCUDA_OK;
}

int ccuda_device_synchronize(void) {
    NEED_LOADED();
    CHECK_RT("cudaDeviceSynchronize", api.cudaDeviceSynchronize());
    return CCUDA_OK;
}

int ccuda_malloc(void **ptr, size_t bytes) {
    NEED_LOADED();
    CHECK_RT("cudaMalloc", api.cudaMalloc(ptr, bytes));
    return CCUDA_OK;
}

int ccuda_free(void *ptr) {
    NEED_LOADED();
    CHECK_RT("cudaFree", api.cudaFree(ptr));
    return CCUDA_OK;
}

int ccuda_malloc_host(void **ptr, size_t bytes) {
    NEED_LOADED();
    CHECK_RT("cudaMallocHost", api.cudaMallocHost(ptr, bytes));
    return CCUDA_OK;
}

int ccuda_free_host(void *ptr) {
    NEED_LOADED();
    CHECK_RT("cudaFreeHost", api.cudaFreeHost(ptr));
    return CCUDA_OK;
}

int ccuda_memset(void *ptr, int value, size_t bytes) {
    NEED_LOADED();
    CHECK_RT("cudaMemset", api.cudaMemset(ptr, value, bytes));
    return CCUDA_OK;
}

int ccuda_memcpy_async(void *dst, const void *src, size_t bytes, int kind, void *stream) {
    NEED_LOADED();
    if (kind != CCUDA_COPY_HOST_TO_DEVICE && kind != CCUDA_COPY_DEVICE_TO_HOST && kind != CCUDA_COPY_DEVICE_TO_DEVICE) {
        snprintf(last_error, sizeof last_error, "ccuda_memcpy_async: unknown copy kind %d", kind);
        return CCUDA_FAILED;
    }
    CHECK_RT("cudaMemcpyAsync", api.cudaMemcpyAsync(dst, src, bytes, kind, stream));
    return CCUDA_OK;
}

int ccuda_can_access_peer(int device, int peer, int *can) {
    NEED_LOADED();
    CHECK_RT("cudaDeviceCanAccessPeer", api.cudaDeviceCanAccessPeer(can, device, peer));
    return CCUDA_OK;
}

int ccuda_enable_peer_access(int device, int peer) {
    NEED_LOADED();
    int can = 0;
    CHECK_RT("cudaDeviceCanAccessPeer", api.cudaDeviceCanAccessPeer(&can, device, peer));
    if (!can) {
        snprintf(last_error, sizeof last_error, "cudaDeviceCanAccessPeer: device %d cannot access device %d", device, peer);
        return CCUDA_FAILED;
    }
    CHECK_RT("cudaSetDevice", api.cudaSetDevice(device));
    int e = api.cudaDeviceEnablePeerAccess(peer, 0);
    if (e == CUDA_ERROR_PEER_ACCESS_ALREADY_ENABLED) {
        api.cudaGetLastError(); /* clear the non-sticky error */
        return CCUDA_OK;
    }
    if (e != OK_CODE) return fail_runtime("cudaDeviceEnablePeerAccess", e);
    return CCUDA_OK;
}

int ccuda_memcpy_peer_async(void *dst, int dst_device, const void *src, int src_device, size_t bytes, void *stream) {
    NEED_LOADED();
    CHECK_RT("cudaMemcpyPeerAsync", api.cudaMemcpyPeerAsync(dst, dst_device, src, src_device, bytes, stream));
    return CCUDA_OK;
}

int ccuda_stream_create(void **stream) {
    NEED_LOADED();
    CHECK_RT("cudaStreamCreate", api.cudaStreamCreate(stream));
    return CCUDA_OK;
}

int ccuda_stream_destroy(void *stream) {
    NEED_LOADED();
    CHECK_RT("cudaStreamDestroy", api.cudaStreamDestroy(stream));
    return CCUDA_OK;
}

int ccuda_stream_synchronize(void *stream) {
    NEED_LOADED();
    CHECK_RT("cudaStreamSynchronize", api.cudaStreamSynchronize(stream));
    return CCUDA_OK;
}

int ccuda_stream_wait_event(void *stream, void *event) {
    NEED_LOADED();
    CHECK_RT("cudaStreamWaitEvent", api.cudaStreamWaitEvent(stream, event, 0));
    return CCUDA_OK;
}

int ccuda_event_create(void **event) {
    NEED_LOADED();
    CHECK_RT("cudaEventCreate", api.cudaEventCreate(event));
    return CCUDA_OK;
}

int ccuda_event_destroy(void *event) {
    NEED_LOADED();
    CHECK_RT("cudaEventDestroy", api.cudaEventDestroy(event));
    return CCUDA_OK;
}

int ccuda_event_record(void *event, void *stream) {
    NEED_LOADED();
    CHECK_RT("cudaEventRecord", api.cudaEventRecord(event, stream));
    return CCUDA_OK;
}

int ccuda_event_synchronize(void *event) {
    NEED_LOADED();
    CHECK_RT("cudaEventSynchronize", api.cudaEventSynchronize(event));
    return CCUDA_OK;
}

int ccuda_event_elapsed_ms(float *ms, void *start, void *end) {
    NEED_LOADED();
    CHECK_RT("cudaEventElapsedTime", api.cudaEventElapsedTime(ms, start, end));
    return CCUDA_OK;
}

/* ---- cuBLAS ------------------------------------------------------------------------------------------ */

int ccuda_cublas_create(void **handle) {
    NEED_LOADED();
    CHECK_BLAS("cublasCreate_v2", api.cublasCreate(handle));
    return CCUDA_OK;
}

int ccuda_cublas_destroy(void *handle) {
    NEED_LOADED();
    CHECK_BLAS("cublasDestroy_v2", api.cublasDestroy(handle));
    return CCUDA_OK;
}

int ccuda_cublas_set_stream(void *handle, void *stream) {
    NEED_LOADED();
    CHECK_BLAS("cublasSetStream_v2", api.cublasSetStream(handle, stream));
    return CCUDA_OK;
}

int ccuda_gemm(void *handle, int dtype, int m, int n, int k, const void *a, const void *b, void *c) {
    NEED_LOADED();
    int type;
    switch (dtype) {
    case CCUDA_DTYPE_F32: type = CUDA_R_32F; break;
    case CCUDA_DTYPE_F16: type = CUDA_R_16F; break;
    case CCUDA_DTYPE_BF16: type = CUDA_R_16BF; break;
    default:
        snprintf(last_error, sizeof last_error, "ccuda_gemm: unknown dtype %d", dtype);
        return CCUDA_FAILED;
    }
    /* CUBLAS_COMPUTE_32F takes float alpha and beta. Column-major, no transposes: lda = m, ldb = k, ldc = m. */
    const float alpha = 1.0f, beta = 0.0f;
    CHECK_BLAS("cublasGemmEx", api.cublasGemmEx(handle, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &alpha, a, type, m, b, type, k,
                                                &beta, c, type, m, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
    return CCUDA_OK;
}

/* ---- NCCL -------------------------------------------------------------------------------------------- */

int ccuda_nccl_init_all(int ndev, void **comms) {
    NEED_NCCL();
    CHECK_NCCL("ncclCommInitAll", api.ncclCommInitAll(comms, ndev, NULL));
    return CCUDA_OK;
}

int ccuda_nccl_destroy(void *comm) {
    NEED_NCCL();
    CHECK_NCCL("ncclCommDestroy", api.ncclCommDestroy(comm));
    return CCUDA_OK;
}

int ccuda_nccl_group_start(void) {
    NEED_NCCL();
    CHECK_NCCL("ncclGroupStart", api.ncclGroupStart());
    return CCUDA_OK;
}

int ccuda_nccl_group_end(void) {
    NEED_NCCL();
    CHECK_NCCL("ncclGroupEnd", api.ncclGroupEnd());
    return CCUDA_OK;
}

int ccuda_nccl_allreduce_f32(const void *send, void *recv, size_t count, void *comm, void *stream) {
    NEED_NCCL();
    CHECK_NCCL("ncclAllReduce", api.ncclAllReduce(send, recv, count, NCCL_FLOAT32, NCCL_SUM, comm, stream));
    return CCUDA_OK;
}
