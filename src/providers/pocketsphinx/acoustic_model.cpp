#include "providers/pocketsphinx/acoustic_model.hpp"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <numeric>

namespace ce::stt {
namespace {

constexpr std::int32_t byte_order_magic = 0x11223344;
constexpr std::int32_t mdef_magic = 0x46444d42;  // "BMDF" read in native byte order

bool read_i32(std::istream& in, std::int32_t& v) {
  return static_cast<bool>(in.read(reinterpret_cast<char*>(&v), sizeof v));
}

struct s3_array {
  std::int32_t codebooks = 0, streams = 0, densities = 0;
  std::vector<int> dims;
  std::vector<float> values;
};

/// A sphinx gaussian parameter file: text header up to "endhdr", byte-order magic, the
/// dimensions, the count of floats and the floats (native little-endian here).
std::optional<s3_array> read_s3(const std::string& path, std::string* error) {
  auto fail = [&](const std::string& why) -> std::optional<s3_array> {
    if (error) *error = "cannot read acoustic model file " + path + ": " + why;
    return std::nullopt;
  };
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("cannot open");
  std::string line;
  while (std::getline(in, line) && line.find("endhdr") == std::string::npos) {}
  std::int32_t magic = 0;
  if (!read_i32(in, magic)) return fail("no header");
  if (magic != byte_order_magic) return fail("unsupported byte order");
  s3_array a;
  if (!read_i32(in, a.codebooks) || !read_i32(in, a.streams) || !read_i32(in, a.densities) ||
      a.codebooks <= 0 || a.streams <= 0 || a.densities <= 0 || a.streams > 16)
    return fail("bad dimensions");
  for (int i = 0; i < a.streams; ++i) {
    std::int32_t d = 0;
    if (!read_i32(in, d) || d <= 0 || d > 256) return fail("bad stream length");
    a.dims.push_back(d);
  }
  std::int32_t count = 0;
  auto dims = std::accumulate(a.dims.begin(), a.dims.end(), 0);
  if (!read_i32(in, count) || count != a.codebooks * a.densities * dims)
    return fail("parameter count does not match dimensions");
  a.values.resize(static_cast<std::size_t>(count));
  if (!in.read(reinterpret_cast<char*>(a.values.data()),
               static_cast<std::streamsize>(a.values.size() * sizeof(float))))
    return fail("truncated");
  return a;
}

} // namespace

std::size_t gaussian_codebooks::offset(int codebook, int stream, int density) const {
  std::size_t per_density = 0;
  for (int d : stream_dims) per_density += static_cast<std::size_t>(d);
  std::size_t stream_start = 0;
  for (int s = 0; s < stream; ++s)
    stream_start += static_cast<std::size_t>(stream_dims[static_cast<std::size_t>(s)]) *
                    static_cast<std::size_t>(densities);
  // Layout: for each codebook, for each stream, `densities` vectors of that stream's length.
  return static_cast<std::size_t>(codebook) * per_density * static_cast<std::size_t>(densities) +
         stream_start +
         static_cast<std::size_t>(density) *
           static_cast<std::size_t>(stream_dims[static_cast<std::size_t>(stream)]);
}

std::optional<gaussian_codebooks> read_codebooks(const std::string& hmm_dir, std::string* error) {
  auto means = read_s3(hmm_dir + "/means", error);
  if (!means) return std::nullopt;
  auto vars = read_s3(hmm_dir + "/variances", error);
  if (!vars) return std::nullopt;
  if (means->codebooks != vars->codebooks || means->streams != vars->streams ||
      means->densities != vars->densities || means->dims != vars->dims) {
    if (error) *error = "acoustic model means and variances differ in shape in " + hmm_dir;
    return std::nullopt;
  }
  gaussian_codebooks g;
  g.codebooks = means->codebooks;
  g.streams = means->streams;
  g.densities = means->densities;
  g.stream_dims = means->dims;
  g.means = std::move(means->values);
  g.variances = std::move(vars->values);
  for (auto& v : g.variances) v = std::max(v, 1e-4f);
  return g;
}

std::optional<std::vector<std::string>> read_ci_phones(const std::string& hmm_dir,
                                                       std::string* error) {
  auto path = hmm_dir + "/mdef";
  auto fail = [&](const std::string& why) -> std::optional<std::vector<std::string>> {
    if (error) *error = "cannot read acoustic model file " + path + ": " + why;
    return std::nullopt;
  };
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("cannot open");
  std::int32_t magic = 0, version = 0, header_length = 0;
  if (!read_i32(in, magic) || !read_i32(in, version) || !read_i32(in, header_length))
    return fail("truncated");
  if (magic != mdef_magic) return fail("not a binary mdef in native byte order");
  in.seekg(header_length, std::ios::cur);
  std::int32_t counts[10] = {};  // n_ciphone first, then 9 more counts
  for (auto& c : counts)
    if (!read_i32(in, c)) return fail("truncated");
  if (counts[0] <= 0 || counts[0] > 1000) return fail("bad phone count");
  std::vector<std::string> names;
  for (int i = 0; i < counts[0]; ++i) {
    std::string name;
    if (!std::getline(in, name, '\0') || name.empty()) return fail("truncated phone names");
    names.push_back(std::move(name));
  }
  return names;
}

} // namespace ce::stt
