/// C source of a stand-in for libcuda, libcudart, libcublas and libnccl, compiled by `StubCUDATests` so the
/// dlopen/dlsym path and the Swift orchestration run end to end on a machine without a GPU.
///
/// It implements exactly the symbols CCUDA resolves, with the same (our own) prototypes, on a virtual clock per
/// device: a GEMM advances its device's clock by 2mnk / rate, a copy by bytes / bandwidth, a grouped all-reduce
/// brings every rank to the slowest clock plus α + S·2(n−1)/n / busbw. Events read the clock. Its numbers are
/// arithmetic, never measurements. It also checks how it is used (handles on the current device, events and
/// streams on one device, NCCL calls inside a group, every pointer known and large enough) and reports misuse,
/// and at exit every resource still alive, on stderr with the prefix "FAKECUDA".
///
/// Environment: FAKE_CUDA_DEVICES (default 2), FAKE_CUDA_FAIL=<symbol> makes that call fail.
enum StubCUDASource {
    static let rates = (halfFLOPS: 400e12, floatFLOPS: 40e12, memory: 2e12, host: 20e9, peer: 100e9,
                        alpha: 10e-6, busbw: 100e9)

    static let code = #"""
    #include <stdio.h>
    #include <stdlib.h>
    #include <string.h>

    #define MAXDEV 8
    static int ndev = -1, cur = 0, group_depth = 0, peer_enabled[MAXDEV][MAXDEV];
    static const char *fail_name;
    static double clk[MAXDEV];
    static long live_dev, live_host, live_streams, live_events, live_handles, live_comms;

    static void init(void) {
        if (ndev >= 0) return;
        const char *e = getenv("FAKE_CUDA_DEVICES");
        ndev = e ? atoi(e) : 2;
        fail_name = getenv("FAKE_CUDA_FAIL");
    }
    static int failing(const char *fn) { init(); return fail_name && strcmp(fail_name, fn) == 0; }
    static int misuse(const char *what, int code) { fprintf(stderr, "FAKECUDA MISUSE: %s\n", what); return code; }

    __attribute__((destructor)) static void report_leaks(void) {
        if (live_dev || live_host || live_streams || live_events || live_handles || live_comms)
            fprintf(stderr, "FAKECUDA LEAK: device %ld host %ld streams %ld events %ld handles %ld comms %ld\n",
                    live_dev, live_host, live_streams, live_events, live_handles, live_comms);
    }

    struct alloc { void *p; size_t bytes; int device; int host; struct alloc *next; };
    static struct alloc *allocs;
    static struct alloc *find(const void *p) {
        for (struct alloc *a = allocs; a; a = a->next) if (a->p == p) return a;
        return NULL;
    }
    struct stream { int device; };
    struct event { int device, recorded; double t; };
    struct handle { int device; struct stream *stream; };
    struct comm { int device, ndev; };

    /* driver */
    int cuInit(unsigned int f) { init(); return failing("cuInit") ? 100 : 0; }
    int cuDriverGetVersion(int *v) { *v = 12040; return 0; }
    int cuDeviceGetCount(int *c) { init(); *c = ndev; return 0; }
    int cuDeviceGet(int *d, int o) { init(); if (o < 0 || o >= ndev) return 101; *d = o; return 0; }
    int cuDeviceGetName(char *n, int len, int d) { snprintf(n, len, "NVIDIA H100 80GB HBM3"); return 0; }
    int cuGetErrorString(int e, const char **s) { static char b[64]; snprintf(b, sizeof b, "fake driver error %d", e); *s = b; return 0; }

    /* runtime */
    int cudaGetDeviceCount(int *c) { init(); *c = ndev; return 0; }
    int cudaSetDevice(int d) { init(); if (d < 0 || d >= ndev) return misuse("cudaSetDevice: bad device", 101); cur = d; return 0; }
    int cudaDeviceSynchronize(void) { return 0; }
    int cudaRuntimeGetVersion(int *v) { *v = 12020; return 0; }
    int cudaDriverGetVersion(int *v) { *v = 12040; return 0; }
    const char *cudaGetErrorString(int e) { static char b[64]; snprintf(b, sizeof b, "fake runtime error %d", e); return b; }
    int cudaGetLastError(void) { return 0; }
    int cudaMemGetInfo(size_t *f, size_t *t) { *f = 79000000000UL; *t = 85000000000UL; return 0; }
    static int track(void **p, size_t bytes, int host) {
        struct alloc *a = calloc(1, sizeof *a);
        a->p = host ? malloc(bytes ? bytes : 1) : malloc(1); /* device memory is a token, never touched */
        a->bytes = bytes; a->device = cur; a->host = host; a->next = allocs; allocs = a;
        *p = a->p;
        if (host) live_host++; else live_dev++;
        return 0;
    }
    static int untrack(void *p, int host) {
        for (struct alloc **pp = &allocs; *pp; pp = &(*pp)->next) {
            if ((*pp)->p == p && (*pp)->host == host) {
                struct alloc *a = *pp; *pp = a->next; free(a->p); free(a);
                if (host) live_host--; else live_dev--;
                return 0;
            }
        }
        return misuse(host ? "cudaFreeHost: unknown pointer" : "cudaFree: unknown pointer", 1);
    }
    int cudaMalloc(void **p, size_t b) { if (failing("cudaMalloc")) return 2; return track(p, b, 0); }
    int cudaFree(void *p) { return untrack(p, 0); }
    int cudaMallocHost(void **p, size_t b) { return track(p, b, 1); }
    int cudaFreeHost(void *p) { return untrack(p, 1); }
    int cudaMemset(void *p, int v, size_t b) {
        struct alloc *a = find(p);
        if (!a || a->host || b > a->bytes) return misuse("cudaMemset: not a device allocation this large", 1);
        return 0;
    }
    static int is_dev(const void *p, size_t b) { struct alloc *a = find(p); return a && !a->host && b <= a->bytes; }
    static int is_host(const void *p, size_t b) { struct alloc *a = find(p); return a && a->host && b <= a->bytes; }
    int cudaMemcpyAsync(void *d, const void *s, size_t b, int kind, struct stream *st) {
        if (failing("cudaMemcpyAsync")) return 1;
        int ok = (kind == 3 && is_dev(d, b) && is_dev(s, b)) || (kind == 1 && is_dev(d, b) && is_host(s, b))
              || (kind == 2 && is_host(d, b) && is_dev(s, b));
        if (!ok || !st) return misuse("cudaMemcpyAsync: bad pointers or kind", 1);
        clk[st->device] += kind == 3 ? 2.0 * b / 2e12 : b / 20e9;
        return 0;
    }
    int cudaDeviceCanAccessPeer(int *c, int d, int p) { *c = d != p; return 0; }
    int cudaDeviceEnablePeerAccess(int p, unsigned int f) {
        if (peer_enabled[cur][p]) return 704; /* cudaErrorPeerAccessAlreadyEnabled */
        peer_enabled[cur][p] = 1; return 0;
    }
    int cudaMemcpyPeerAsync(void *d, int dd, const void *s, int sd, size_t b, struct stream *st) {
        struct alloc *da = find(d), *sa = find(s);
        if (!da || !sa || da->device != dd || sa->device != sd || b > da->bytes || b > sa->bytes)
            return misuse("cudaMemcpyPeerAsync: bad pointers", 1);
        clk[st->device] += b / 100e9;
        return 0;
    }
    int cudaStreamCreate(struct stream **s) { *s = calloc(1, sizeof **s); (*s)->device = cur; live_streams++; return 0; }
    int cudaStreamDestroy(struct stream *s) { free(s); live_streams--; return 0; }
    int cudaStreamSynchronize(struct stream *s) { return 0; }
    int cudaStreamWaitEvent(struct stream *s, struct event *e, unsigned int f) {
        if (!e->recorded) return misuse("cudaStreamWaitEvent: event never recorded", 400);
        if (clk[s->device] < e->t) clk[s->device] = e->t;
        return 0;
    }
    int cudaEventCreate(struct event **e) { *e = calloc(1, sizeof **e); (*e)->device = cur; live_events++; return 0; }
    int cudaEventDestroy(struct event *e) { free(e); live_events--; return 0; }
    int cudaEventRecord(struct event *e, struct stream *s) {
        if (!s || e->device != s->device) return misuse("cudaEventRecord: event and stream on different devices", 400);
        e->recorded = 1; e->t = clk[s->device]; return 0;
    }
    int cudaEventSynchronize(struct event *e) { return e->recorded ? 0 : misuse("cudaEventSynchronize: not recorded", 400); }
    int cudaEventElapsedTime(float *ms, struct event *a, struct event *b) {
        if (!a->recorded || !b->recorded || a->device != b->device) return misuse("cudaEventElapsedTime: bad events", 400);
        *ms = (float)((b->t - a->t) * 1000.0); return 0;
    }

    /* cuBLAS */
    int cublasCreate_v2(struct handle **h) { *h = calloc(1, sizeof **h); (*h)->device = cur; live_handles++; return 0; }
    int cublasDestroy_v2(struct handle *h) { free(h); live_handles--; return 0; }
    int cublasSetStream_v2(struct handle *h, struct stream *s) {
        if (s->device != h->device) return misuse("cublasSetStream_v2: stream on another device", 7);
        h->stream = s; return 0;
    }
    const char *cublasGetStatusString(int s) { return s == 13 ? "CUBLAS_STATUS_EXECUTION_FAILED (fake)" : "fake cublas status"; }
    int cublasGemmEx(struct handle *h, int ta, int tb, int m, int n, int k, const float *alpha, const void *A, int at, int lda,
                     const void *B, int bt, int ldb, const float *beta, void *C, int ct, int ldc, int compute, int algo) {
        if (failing("cublasGemmEx")) return 13;
        if (h->device != cur) return misuse("cublasGemmEx: handle's device is not the current device", 7);
        if (!h->stream) return misuse("cublasGemmEx: no stream set", 7);
        if (ta != 0 || tb != 0 || lda != m || ldb != k || ldc != m || compute != 68 || algo != -1 || *alpha != 1 || *beta != 0)
            return misuse("cublasGemmEx: unexpected arguments", 7);
        if (at != bt || bt != ct || !(at == 0 || at == 2 || at == 14)) return misuse("cublasGemmEx: bad types", 7);
        size_t e = at == 0 ? 4 : 2;
        if (!is_dev(A, (size_t)m * k * e) || !is_dev(B, (size_t)k * n * e) || !is_dev(C, (size_t)m * n * e))
            return misuse("cublasGemmEx: matrices not device allocations this large", 7);
        if (find(A)->device != h->device) return misuse("cublasGemmEx: matrix on another device", 7);
        clk[h->device] += 2.0 * m * n * k / (at == 0 ? 40e12 : 400e12);
        return 0;
    }

    /* NCCL */
    static struct { struct comm *c; struct stream *s; size_t count; } pending[MAXDEV];
    static int npending;
    int ncclGetVersion(int *v) { *v = 21903; return 0; }
    const char *ncclGetErrorString(int r) { return "fake nccl error"; }
    int ncclCommInitAll(struct comm **comms, int n, const int *list) {
        init();
        if (n < 2 || n > ndev || list) return misuse("ncclCommInitAll: bad arguments", 4);
        for (int i = 0; i < n; i++) { comms[i] = calloc(1, sizeof **comms); comms[i]->device = i; comms[i]->ndev = n; live_comms++; }
        return 0;
    }
    int ncclCommDestroy(struct comm *c) { free(c); live_comms--; return 0; }
    int ncclGroupStart(void) { group_depth++; return 0; }
    int ncclGroupEnd(void) {
        if (group_depth <= 0) return misuse("ncclGroupEnd without ncclGroupStart", 5);
        if (--group_depth > 0 || npending == 0) return 0;
        int n = pending[0].c->ndev;
        if (npending != n) { npending = 0; return misuse("ncclGroupEnd: not every rank joined the all-reduce", 5); }
        double start = 0;
        for (int i = 0; i < npending; i++) if (clk[pending[i].s->device] > start) start = clk[pending[i].s->device];
        double t = start + 10e-6 + pending[0].count * 4.0 * 2 * (n - 1) / n / 100e9;
        for (int i = 0; i < npending; i++) clk[pending[i].s->device] = t;
        npending = 0;
        return 0;
    }
    int ncclAllReduce(const void *s, void *r, size_t count, int type, int op, struct comm *c, struct stream *st) {
        if (group_depth <= 0) return misuse("ncclAllReduce outside a group (would deadlock with several ranks)", 5);
        if (type != 7 || op != 0) return misuse("ncclAllReduce: not a float32 sum", 4);
        if (st->device != c->device || !is_dev(s, count * 4) || !is_dev(r, count * 4) || find(s)->device != c->device)
            return misuse("ncclAllReduce: stream or buffers on the wrong device", 4);
        if (npending > 0 && pending[0].count != count) return misuse("ncclAllReduce: ranks disagree on count", 4);
        pending[npending].c = c; pending[npending].s = st; pending[npending].count = count; npending++;
        return 0;
    }
    """#
}
