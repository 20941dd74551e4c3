// SHA-1 after FIPS 180-4, section 6.1: the 80-word message schedule, then
// 20 rounds of each of the four round functions.
#include "orchestrate/sha1.h"

#include <cstring>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#define ORCHESTRATE_SHA_NI 1
#endif

namespace orchestrate {
namespace {

inline uint32_t Rotl(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

inline uint32_t LoadBigEndian(const unsigned char* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | uint32_t{p[3]};
}

void PortableBlock(std::array<uint32_t, 5>& h, const unsigned char* block) {
  uint32_t w[80];
  for (int t = 0; t < 16; ++t) w[t] = LoadBigEndian(block + 4 * t);
  for (int t = 16; t < 80; ++t) w[t] = Rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
  auto round = [&](uint32_t f, uint32_t k, uint32_t word) {
    uint32_t temp = Rotl(a, 5) + f + e + k + word;
    e = d;
    d = c;
    c = Rotl(b, 30);
    b = a;
    a = temp;
  };
  // One loop per round function, so each is a straight run of code.
  for (int t = 0; t < 20; ++t) round(d ^ (b & (c ^ d)), 0x5A827999, w[t]);
  for (int t = 20; t < 40; ++t) round(b ^ c ^ d, 0x6ED9EBA1, w[t]);
  for (int t = 40; t < 60; ++t) round((b & c) | (d & (b | c)), 0x8F1BBCDC, w[t]);
  for (int t = 60; t < 80; ++t) round(b ^ c ^ d, 0xCA62C1D6, w[t]);
  h[0] += a;
  h[1] += b;
  h[2] += c;
  h[3] += d;
  h[4] += e;
}

#ifdef ORCHESTRATE_SHA_NI
#define ORCHESTRATE_SHA_TARGET __attribute__((target("sha,sse4.1,ssse3")))

// The SHA extensions' SHA-1: sha1rnds4 does four rounds with round
// function F (an immediate, hence the template), sha1msg1/sha1msg2 and xor
// extend the message schedule four words at a time. The order of the steps
// follows Intel's reference code (also in noloader/SHA-Intrinsics).
template <int F>
ORCHESTRATE_SHA_TARGET inline __m128i FourRounds(__m128i abcd, __m128i e) {
  return _mm_sha1rnds4_epu32(abcd, e, F);
}

ORCHESTRATE_SHA_TARGET void ShaNiBlock(std::array<uint32_t, 5>& h, const unsigned char* block) {
  const __m128i byte_swap = _mm_set_epi64x(0x0001020304050607ULL, 0x08090a0b0c0d0e0fULL);
  __m128i abcd =
      _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h.data())), 0x1B);
  __m128i e_in = _mm_set_epi32(static_cast<int>(h[4]), 0, 0, 0);
  const __m128i abcd_in = abcd;
  __m128i msg[4];
  for (int i = 0; i < 4; ++i)
    msg[i] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(block + 16 * i)),
                              byte_swap);
  __m128i e[2] = {_mm_add_epi32(e_in, msg[0]), abcd};
#pragma GCC unroll 20
  for (int g = 0; g < 20; ++g) {  // rounds 4g .. 4g+3
    __m128i& now = e[g % 2];
    __m128i& next = e[(g + 1) % 2];
    if (g > 0) now = _mm_sha1nexte_epu32(now, msg[g % 4]);
    next = abcd;
    if (g >= 3 && g <= 18) msg[(g + 1) % 4] = _mm_sha1msg2_epu32(msg[(g + 1) % 4], msg[g % 4]);
    switch (g / 5) {
      case 0:
        abcd = FourRounds<0>(abcd, now);
        break;
      case 1:
        abcd = FourRounds<1>(abcd, now);
        break;
      case 2:
        abcd = FourRounds<2>(abcd, now);
        break;
      default:
        abcd = FourRounds<3>(abcd, now);
        break;
    }
    if (g >= 1 && g <= 16) msg[(g + 3) % 4] = _mm_sha1msg1_epu32(msg[(g + 3) % 4], msg[g % 4]);
    if (g >= 2 && g <= 17) msg[(g + 2) % 4] = _mm_xor_si128(msg[(g + 2) % 4], msg[g % 4]);
  }
  __m128i e_out = _mm_sha1nexte_epu32(e[0], e_in);
  abcd = _mm_shuffle_epi32(_mm_add_epi32(abcd, abcd_in), 0x1B);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(h.data()), abcd);
  h[4] = static_cast<uint32_t>(_mm_extract_epi32(e_out, 3));
}

bool CpuHasShaInstructions() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !(b & (1u << 29))) return false;  // SHA
  if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
  return (c & (1u << 19)) && (c & (1u << 9));  // SSE4.1, SSSE3
}
#endif

bool UseCpuInstructions(Sha1::Implementation implementation) {
#ifdef ORCHESTRATE_SHA_NI
  static const bool available = CpuHasShaInstructions();
  return implementation == Sha1::Implementation::kFastest && available;
#else
  (void)implementation;
  return false;
#endif
}

}  // namespace

Sha1::Sha1(Implementation implementation)
    : use_cpu_instructions_(UseCpuInstructions(implementation)),
      h_{0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0} {}

void Sha1::Block(const unsigned char* block) {
#ifdef ORCHESTRATE_SHA_NI
  if (use_cpu_instructions_) return ShaNiBlock(h_, block);
#endif
  PortableBlock(h_, block);
}

void Sha1::Update(std::string_view data) {
  length_ += data.size();
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  size_t n = data.size();
  if (buffered_ > 0) {
    size_t take = std::min(n, buffer_.size() - buffered_);
    std::memcpy(buffer_.data() + buffered_, p, take);
    buffered_ += take;
    p += take;
    n -= take;
    if (buffered_ < buffer_.size()) return;
    Block(buffer_.data());
    buffered_ = 0;
  }
  for (; n >= 64; p += 64, n -= 64) Block(p);
  std::memcpy(buffer_.data(), p, n);
  buffered_ = n;
}

std::string Sha1::HexDigest() {
  uint64_t bits = length_ * 8;
  unsigned char pad[72] = {0x80};
  size_t pad_length = (buffered_ < 56 ? 56 : 120) - buffered_;
  for (int i = 0; i < 8; ++i)
    pad[pad_length + i] = static_cast<unsigned char>(bits >> (56 - 8 * i));
  Update(std::string_view(reinterpret_cast<const char*>(pad), pad_length + 8));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(40, '0');
  for (int i = 0; i < 20; ++i) {
    auto byte = static_cast<unsigned>(h_[i / 4] >> (24 - 8 * (i % 4))) & 0xff;
    hex[2 * i] = kHex[byte >> 4];
    hex[2 * i + 1] = kHex[byte & 15];
  }
  return hex;
}

}  // namespace orchestrate
