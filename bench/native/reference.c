// Native reference for the portfolio benchmark (a), to calibrate the WASM figures on the machine at
// hand: DESIGN.md quotes "C -O3 ~8 ms" for this work from another machine. Not part of the library.
//
// Reads bench/native/dump-inputs.ts's file (2,000 options × 64 scenarios, 16,847 groups of
// 10,000 accounts × 20 positions) and times, in process CPU time (best and median of the rounds):
//   risk arrays   C -O3 scalar, libm exp/log/erfc: generalised BSM at shocked spot and vol, with the
//                 per-instrument exps hoisted, as a careful C programmer writes it;
//   reduction     (1) plain loops, the P&L row in memory (what gcc -O3 makes of the obvious code);
//                 (2) SSE2, 8 accumulators of 2 doubles, 16 scenarios per pass: the WASM kernel's
//                     shape (WASM SIMD is 128 bits wide);
//                 (3) AVX2, 4 accumulators of 4 doubles: the same with 256-bit vectors, which WASM
//                     does not have (no FMA, so the bits stay the same).
// Each reduction must reproduce the WASM kernel's worst losses and scenarios bit for bit (same
// products and sums in the same order); the libm risk arrays must agree to 1e-9 of the spot.
//
// Build and run: npm run bench:native (bench/native/run.sh). x86-64 with gcc or clang.
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
  int32_t n, U, S, G, slots;
  int32_t *isCall, *underlying;
  double *strike, *expiry, *vol, *volScale, *base;
  double *spot, *rate, *carry, *volFloor;
  double *spotMove, *volShock, *weight;
  int32_t *groupStart, *groupEnd, *groupUnderlying, *slotRow;
  double *slotScale;
  double *wasmRisk, *wasmWorst;
  int32_t *wasmScenario;
} Inputs;

static void *readOrDie(FILE *f, size_t count, size_t size) {
  void *p = aligned_alloc(64, (count * size + 63) / 64 * 64);
  if (!p || fread(p, size, count, f) != count) {
    fprintf(stderr, "short read: run bench/native/dump-inputs.ts first\n");
    exit(1);
  }
  return p;
}

static Inputs load(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    perror(path);
    exit(1);
  }
  Inputs in;
  int32_t *h = readOrDie(f, 5, 4);
  in.n = h[0], in.U = h[1], in.S = h[2], in.G = h[3], in.slots = h[4];
  size_t n = in.n, U = in.U, US = (size_t)in.U * in.S, G = in.G, K = in.slots;
  in.isCall = readOrDie(f, n, 4), in.underlying = readOrDie(f, n, 4);
  in.strike = readOrDie(f, n, 8), in.expiry = readOrDie(f, n, 8), in.vol = readOrDie(f, n, 8);
  in.volScale = readOrDie(f, n, 8), in.base = readOrDie(f, n, 8);
  in.spot = readOrDie(f, U, 8), in.rate = readOrDie(f, U, 8), in.carry = readOrDie(f, U, 8), in.volFloor = readOrDie(f, U, 8);
  in.spotMove = readOrDie(f, US, 8), in.volShock = readOrDie(f, US, 8), in.weight = readOrDie(f, US, 8);
  in.groupStart = readOrDie(f, G, 4), in.groupEnd = readOrDie(f, G, 4), in.groupUnderlying = readOrDie(f, G, 4);
  in.slotRow = readOrDie(f, K, 4), in.slotScale = readOrDie(f, K, 8);
  in.wasmRisk = readOrDie(f, n * in.S, 8), in.wasmWorst = readOrDie(f, G, 8), in.wasmScenario = readOrDie(f, G, 4);
  fclose(f);
  return in;
}

static double cpuMs(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static double normCdf(double x) { return 0.5 * erfc(-x * M_SQRT1_2); }

static void riskArrays(const Inputs *in, double *risk) {
  const int S = in->S;
  for (int i = 0; i < in->n; i++) {
    const int u = in->underlying[i];
    const double t = in->expiry[i], sqrtT = sqrt(t), k = in->strike[i], w = in->isCall[i] ? 1.0 : -1.0;
    const double dq = exp(-in->carry[u] * t), kr = k * exp(-in->rate[u] * t), drift = (in->rate[u] - in->carry[u]) * t;
    const double *moves = in->spotMove + (size_t)u * S, *shocks = in->volShock + (size_t)u * S;
    double *row = risk + (size_t)i * S;
    for (int s = 0; s < S; s++) {
      const double shocked = in->vol[i] * (1.0 + shocks[s] * in->volScale[i]);
      const double v = (shocked > in->volFloor[u] ? shocked : in->volFloor[u]) * sqrtT;
      const double spot = in->spot[u] * (1.0 + moves[s]);
      const double d1 = (log(spot / k) + drift) / v + 0.5 * v;
      const double value = w * (spot * dq * normCdf(w * d1) - kr * normCdf(w * (d1 - v)));
      row[s] = (value > 0.0 ? value : 0.0) - in->base[i];
    }
  }
}

// The worst weighted loss of a group from its P&L row, first scenario on ties (as the kernels).
static void worstOf(const Inputs *in, int g, const double *pnl, double *worst, int32_t *scenario) {
  const double *w = in->weight + (size_t)in->groupUnderlying[g] * in->S;
  double best = -INFINITY;
  int at = 0;
  for (int s = 0; s < in->S; s++) {
    const double loss = -pnl[s] * w[s];
    if (loss > best) best = loss, at = s;
  }
  worst[g] = best > 0.0 ? best : 0.0;
  scenario[g] = at;
}

static void reducePlain(const Inputs *in, double *worst, int32_t *scenario) {
  double pnl[256];
  const int S = in->S;
  for (int g = 0; g < in->G; g++) {
    for (int s = 0; s < S; s++) pnl[s] = 0.0;
    for (int k = in->groupStart[g]; k < in->groupEnd[g]; k++) {
      const double *row = in->wasmRisk + (size_t)in->slotRow[k] * S, q = in->slotScale[k];
      for (int s = 0; s < S; s++) pnl[s] += q * row[s];
    }
    worstOf(in, g, pnl, worst, scenario);
  }
}

static void reduceSse2(const Inputs *in, double *worst, int32_t *scenario) {
  double pnl[256] __attribute__((aligned(16)));
  const int S = in->S;
  for (int g = 0; g < in->G; g++) {
    for (int s = 0; s < S; s += 16) {
      __m128d a0 = _mm_setzero_pd(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
      for (int k = in->groupStart[g]; k < in->groupEnd[g]; k++) {
        const double *r = in->wasmRisk + (size_t)in->slotRow[k] * S + s;
        const __m128d q = _mm_set1_pd(in->slotScale[k]);
        a0 = _mm_add_pd(a0, _mm_mul_pd(q, _mm_load_pd(r)));
        a1 = _mm_add_pd(a1, _mm_mul_pd(q, _mm_load_pd(r + 2)));
        a2 = _mm_add_pd(a2, _mm_mul_pd(q, _mm_load_pd(r + 4)));
        a3 = _mm_add_pd(a3, _mm_mul_pd(q, _mm_load_pd(r + 6)));
        a4 = _mm_add_pd(a4, _mm_mul_pd(q, _mm_load_pd(r + 8)));
        a5 = _mm_add_pd(a5, _mm_mul_pd(q, _mm_load_pd(r + 10)));
        a6 = _mm_add_pd(a6, _mm_mul_pd(q, _mm_load_pd(r + 12)));
        a7 = _mm_add_pd(a7, _mm_mul_pd(q, _mm_load_pd(r + 14)));
      }
      _mm_store_pd(pnl + s, a0), _mm_store_pd(pnl + s + 2, a1), _mm_store_pd(pnl + s + 4, a2), _mm_store_pd(pnl + s + 6, a3);
      _mm_store_pd(pnl + s + 8, a4), _mm_store_pd(pnl + s + 10, a5), _mm_store_pd(pnl + s + 12, a6), _mm_store_pd(pnl + s + 14, a7);
    }
    worstOf(in, g, pnl, worst, scenario);
  }
}

__attribute__((target("avx2"))) static void reduceAvx2(const Inputs *in, double *worst, int32_t *scenario) {
  double pnl[256] __attribute__((aligned(32)));
  const int S = in->S;
  for (int g = 0; g < in->G; g++) {
    for (int s = 0; s < S; s += 16) {
      __m256d a0 = _mm256_setzero_pd(), a1 = a0, a2 = a0, a3 = a0;
      for (int k = in->groupStart[g]; k < in->groupEnd[g]; k++) {
        const double *r = in->wasmRisk + (size_t)in->slotRow[k] * S + s;
        const __m256d q = _mm256_set1_pd(in->slotScale[k]);
        a0 = _mm256_add_pd(a0, _mm256_mul_pd(q, _mm256_load_pd(r)));
        a1 = _mm256_add_pd(a1, _mm256_mul_pd(q, _mm256_load_pd(r + 4)));
        a2 = _mm256_add_pd(a2, _mm256_mul_pd(q, _mm256_load_pd(r + 8)));
        a3 = _mm256_add_pd(a3, _mm256_mul_pd(q, _mm256_load_pd(r + 12)));
      }
      _mm256_store_pd(pnl + s, a0), _mm256_store_pd(pnl + s + 4, a1);
      _mm256_store_pd(pnl + s + 8, a2), _mm256_store_pd(pnl + s + 12, a3);
    }
    worstOf(in, g, pnl, worst, scenario);
  }
}

static int byValue(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

#define ROUNDS 15
#define REPS 20

// Best and median of ROUNDS rounds, each the mean of REPS calls (ms CPU per call).
#define TIME(label, call)                                                   \
  do {                                                                      \
    double t[ROUNDS];                                                       \
    for (int r = 0; r < ROUNDS; r++) {                                      \
      const double c0 = cpuMs();                                            \
      for (int i = 0; i < REPS; i++) call;                                  \
      t[r] = (cpuMs() - c0) / REPS;                                         \
    }                                                                       \
    qsort(t, ROUNDS, sizeof t[0], byValue);                                 \
    printf("%-58s %8.3f %8.3f\n", label, t[0], t[ROUNDS / 2]);              \
  } while (0)

static int sameBits(const Inputs *in, const double *worst, const int32_t *scenario) {
  return memcmp(worst, in->wasmWorst, (size_t)in->G * 8) == 0 && memcmp(scenario, in->wasmScenario, (size_t)in->G * 4) == 0;
}

int main(int argc, char **argv) {
  const Inputs in = load(argc > 1 ? argv[1] : "build/native-inputs.bin");
  if (in.S % 16 != 0 || in.S > 256) {
    fprintf(stderr, "S = %d: the reductions here need S a multiple of 16, at most 256\n", in.S);
    return 1;
  }
  double *risk = aligned_alloc(64, (size_t)in.n * in.S * 8), *worst = malloc((size_t)in.G * 8);
  int32_t *scenario = malloc((size_t)in.G * 4);

  riskArrays(&in, risk);
  double maxErr = 0.0;
  for (int i = 0; i < in.n; i++)
    for (int s = 0; s < in.S; s++) {
      const double e = fabs(risk[(size_t)i * in.S + s] - in.wasmRisk[(size_t)i * in.S + s]) / in.spot[in.underlying[i]];
      if (e > maxErr) maxErr = e;
    }
  printf("%d options × %d scenarios, %d groups, %d slots\n", in.n, in.S, in.G, in.slots);
  printf("%-58s %8s %8s\n", "native, ms of CPU per call", "best", "median");
  TIME("risk arrays, C scalar + libm", riskArrays(&in, risk));
  TIME("reduction (1) plain loops", reducePlain(&in, worst, scenario));
  const int plainOk = sameBits(&in, worst, scenario);
  TIME("reduction (2) SSE2, 8 × 2 accumulators (WASM's shape)", reduceSse2(&in, worst, scenario));
  const int sseOk = sameBits(&in, worst, scenario);
  int avxOk = -1;
  if (__builtin_cpu_supports("avx2")) {
    TIME("reduction (3) AVX2, 4 × 4 accumulators", reduceAvx2(&in, worst, scenario));
    avxOk = sameBits(&in, worst, scenario);
  }
  printf("risk arrays vs the kernels: max |difference| / spot = %.2e %s\n", maxErr, maxErr < 1e-9 ? "(ok)" : "(MISMATCH)");
  printf("reductions reproduce the kernels' bits: plain %s, SSE2 %s, AVX2 %s\n", plainOk ? "yes" : "NO", sseOk ? "yes" : "NO",
         avxOk < 0 ? "not run" : avxOk ? "yes" : "NO");
  return maxErr < 1e-9 && plainOk && sseOk && avxOk != 0 ? 0 : 1;
}
