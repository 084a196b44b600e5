#ifndef SCHEDLAB_CCUDA_H
#define SCHEDLAB_CCUDA_H
/*
 * CCUDA: CUDA loaded at run time with dlopen, through our own minimal prototypes.
 *
 * No CUDA header, toolkit or GPU is needed to build this: the handful of CUDA driver, runtime, cuBLAS and NCCL
 * entry points SchedLab uses are declared in ccuda.c as function-pointer typedefs over opaque handles, and
 * resolved with dlsym after ccuda_load() opened the libraries. Every wrapper below checks the return code of
 * the call it makes; on failure it returns CCUDA_FAILED and ccuda_last_error() names the function and the
 * error code and string (per thread). All orchestration (what to time, how often, medians) is in Swift.
 *
 * Handles (streams, events, cuBLAS handles, NCCL communicators) and device pointers are plain void *.
 */
#include <stddef.h>

/* Status codes of every ccuda_* function. */
#define CCUDA_OK 0
/* A library could not be loaded, a symbol is missing, or there is no usable driver/device. */
#define CCUDA_UNAVAILABLE 1
/* A CUDA, cuBLAS or NCCL call returned an error; see ccuda_last_error(). */
#define CCUDA_FAILED 2

/* Element types of ccuda_gemm (our own numbering; mapped to cudaDataType_t inside). */
#define CCUDA_DTYPE_F32 0
#define CCUDA_DTYPE_F16 1
#define CCUDA_DTYPE_BF16 2

/* Copy directions of ccuda_memcpy_async: the values of cudaMemcpyKind (driver_types.h). */
#define CCUDA_COPY_HOST_TO_DEVICE 1
#define CCUDA_COPY_DEVICE_TO_HOST 2
#define CCUDA_COPY_DEVICE_TO_DEVICE 3

/* Opens libcuda, libcudart, libcublas (and libnccl when present), resolves every symbol, initialises the driver
 * and counts devices. Idempotent after success. On CCUDA_UNAVAILABLE, err says which library failed to load (with
 * every file name tried), which symbol is missing, or that cuInit/cuDeviceGetCount/cudaGetDeviceCount reported
 * no device. Call it once, from one thread, before anything else. */
int ccuda_load(char *err, size_t errlen);
/* 1 once ccuda_load succeeded. */
int ccuda_is_loaded(void);
/* 1 when libnccl was loaded with all its symbols. */
int ccuda_has_nccl(void);
/* The file names actually opened, "; "-separated. */
void ccuda_loaded_libraries(char *buf, size_t len);
/* The last error message of this thread ("" if none). */
const char *ccuda_last_error(void);

/* Device and version queries. */
int ccuda_device_count(int *count);
int ccuda_device_name(int device, char *buf, int len);
int ccuda_driver_version(int *version);
int ccuda_runtime_version(int *version);
int ccuda_nccl_version(int *version);
int ccuda_mem_info(int device, size_t *free_bytes, size_t *total_bytes);

/* Runtime: devices, memory, streams, events. */
int ccuda_set_device(int device);
int ccuda_device_synchronize(void);
int ccuda_malloc(void **ptr, size_t bytes);
int ccuda_free(void *ptr);
int ccuda_malloc_host(void **ptr, size_t bytes);
int ccuda_free_host(void *ptr);
int ccuda_memset(void *ptr, int value, size_t bytes);
int ccuda_memcpy_async(void *dst, const void *src, size_t bytes, int kind, void *stream);
/* *can = 1 when device can access peer's memory directly (cudaDeviceCanAccessPeer). */
int ccuda_can_access_peer(int device, int peer, int *can);
/* Lets device access peer's memory (an already-enabled pair is not an error). */
int ccuda_enable_peer_access(int device, int peer);
int ccuda_memcpy_peer_async(void *dst, int dst_device, const void *src, int src_device, size_t bytes, void *stream);
int ccuda_stream_create(void **stream);
int ccuda_stream_destroy(void *stream);
int ccuda_stream_synchronize(void *stream);
int ccuda_stream_wait_event(void *stream, void *event);
int ccuda_event_create(void **event);
int ccuda_event_destroy(void *event);
int ccuda_event_record(void *event, void *stream);
int ccuda_event_synchronize(void *event);
int ccuda_event_elapsed_ms(float *ms, void *start, void *end);

/* cuBLAS: a handle on the current device, bound to a stream; C = A·B for column-major n-by-n (m,n,k general)
 * matrices of one element type, fp32 accumulate (CUBLAS_COMPUTE_32F), alpha = 1, beta = 0. */
int ccuda_cublas_create(void **handle);
int ccuda_cublas_destroy(void *handle);
int ccuda_cublas_set_stream(void *handle, void *stream);
int ccuda_gemm(void *handle, int dtype, int m, int n, int k, const void *a, const void *b, void *c);

/* NCCL (single process, all devices 0..ndev-1): ccuda_nccl_init_all fills comms[0..ndev-1]. A multi-device
 * all-reduce is ccuda_nccl_group_start, one ccuda_nccl_allreduce_f32 per device, ccuda_nccl_group_end. */
int ccuda_nccl_init_all(int ndev, void **comms);
int ccuda_nccl_destroy(void *comm);
int ccuda_nccl_group_start(void);
int ccuda_nccl_group_end(void);
int ccuda_nccl_allreduce_f32(const void *send, void *recv, size_t count, void *comm, void *stream);

#endif
