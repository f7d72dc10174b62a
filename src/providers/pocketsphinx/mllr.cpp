#include "providers/pocketsphinx/mllr.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ce::stt {
namespace {

/// Solves `m` x = `rhs` (n x n, row-major) by Gaussian elimination with partial pivoting.
std::optional<std::vector<double>> solve_linear(std::vector<double> m, std::vector<double> rhs) {
  const auto n = rhs.size();
  for (std::size_t c = 0; c < n; ++c) {
    std::size_t pivot = c;
    for (std::size_t r = c + 1; r < n; ++r)
      if (std::abs(m[r * n + c]) > std::abs(m[pivot * n + c])) pivot = r;
    if (std::abs(m[pivot * n + c]) < 1e-9) return std::nullopt;
    for (std::size_t k = 0; k < n; ++k) std::swap(m[c * n + k], m[pivot * n + k]);
    std::swap(rhs[c], rhs[pivot]);
    for (std::size_t r = c + 1; r < n; ++r) {
      double f = m[r * n + c] / m[c * n + c];
      for (std::size_t k = c; k < n; ++k) m[r * n + k] -= f * m[c * n + k];
      rhs[r] -= f * rhs[c];
    }
  }
  std::vector<double> x(n);
  for (std::size_t r = n; r-- > 0;) {
    double s = rhs[r];
    for (std::size_t k = r + 1; k < n; ++k) s -= m[r * n + k] * x[k];
    x[r] = s / m[r * n + r];
  }
  return x;
}

double log_sum(const std::vector<double>& v) {
  double best = *std::max_element(v.begin(), v.end());
  double s = 0;
  for (double x : v) s += std::exp(x - best);
  return best + std::log(s);
}

} // namespace

mllr_accumulator::mllr_accumulator(const gaussian_codebooks& model) : model_(model) {
  int at = 0;
  for (int d : model.stream_dims) {
    stream_offsets_.push_back(at);
    at += d;
  }
  const auto slots = static_cast<std::size_t>(model.codebooks * model.streams * model.densities);
  log_norm_.resize(slots);
  occupancy_.assign(slots, 0.0);
  first_order_.assign(slots * static_cast<std::size_t>(*std::max_element(
                                 model.stream_dims.begin(), model.stream_dims.end())),
                      0.0);
  for (int cb = 0; cb < model.codebooks; ++cb)
    for (int s = 0; s < model.streams; ++s)
      for (int m = 0; m < model.densities; ++m) {
        const float* var = &model.variances[model.offset(cb, s, m)];
        double sum = 0;
        for (int j = 0; j < model.stream_dims[static_cast<std::size_t>(s)]; ++j)
          sum += std::log(static_cast<double>(var[j]));
        log_norm_[static_cast<std::size_t>((cb * model.streams + s) * model.densities + m)] =
          -0.5 * sum;
      }
}

double mllr_accumulator::stream_scores(std::span<const float> frame, int codebook, int stream,
                                       std::vector<double>& scores) const {
  const int dim = model_.stream_dims[static_cast<std::size_t>(stream)];
  const float* x = frame.data() + stream_offsets_[static_cast<std::size_t>(stream)];
  scores.resize(static_cast<std::size_t>(model_.densities));
  for (int m = 0; m < model_.densities; ++m) {
    auto at = model_.offset(codebook, stream, m);
    const float* mean = &model_.means[at];
    const float* var = &model_.variances[at];
    double d = 0;
    for (int j = 0; j < dim; ++j) {
      double diff = x[j] - mean[j];
      d += diff * diff / var[j];
    }
    scores[static_cast<std::size_t>(m)] =
      log_norm_[static_cast<std::size_t>((codebook * model_.streams + stream) * model_.densities +
                                         m)] -
      0.5 * d;
  }
  return log_sum(scores);
}

double mllr_accumulator::log_likelihood(std::span<const float> frame, int codebook) const {
  std::vector<double> scores;
  double total = 0;
  for (int s = 0; s < model_.streams; ++s)
    total += stream_scores(frame, codebook, s, scores) - std::log(model_.densities);
  return total;
}

void mllr_accumulator::add_frame(std::span<const float> frame, int codebook) {
  if (codebook < 0 || codebook >= model_.codebooks) return;
  std::vector<double> scores;
  const std::size_t max_dim = first_order_.size() / occupancy_.size();
  for (int s = 0; s < model_.streams; ++s) {
    double total = stream_scores(frame, codebook, s, scores);
    const int dim = model_.stream_dims[static_cast<std::size_t>(s)];
    const float* x = frame.data() + stream_offsets_[static_cast<std::size_t>(s)];
    for (int m = 0; m < model_.densities; ++m) {
      double posterior = std::exp(scores[static_cast<std::size_t>(m)] - total);
      if (posterior < 1e-6) continue;
      auto slot = static_cast<std::size_t>((codebook * model_.streams + s) * model_.densities + m);
      occupancy_[slot] += posterior;
      for (int j = 0; j < dim; ++j) first_order_[slot * max_dim + static_cast<std::size_t>(j)] +=
        posterior * x[j];
    }
  }
  ++frames_;
}

std::optional<mllr_transform> mllr_accumulator::solve(std::string* error) const {
  const std::size_t max_dim = first_order_.size() / occupancy_.size();
  mllr_transform t;
  for (int s = 0; s < model_.streams; ++s) {
    const auto dim = static_cast<std::size_t>(model_.stream_dims[static_cast<std::size_t>(s)]);
    std::vector<double> a(dim * dim), b(dim);
    for (std::size_t row = 0; row < dim; ++row) {
      // Row `row` of [b A] solves G w = k, with extended means xi = [1, mean]:
      // G = sum_m occ_m / var_m,row xi xi^T and k = sum_m first_m,row / var_m,row xi.
      const std::size_t n = dim + 1;
      std::vector<double> g(n * n, 0.0), k(n, 0.0), xi(n);
      for (int cb = 0; cb < model_.codebooks; ++cb)
        for (int m = 0; m < model_.densities; ++m) {
          auto slot = static_cast<std::size_t>((cb * model_.streams + s) * model_.densities + m);
          if (occupancy_[slot] <= 0) continue;
          auto at = model_.offset(cb, s, m);
          double inv_var = 1.0 / model_.variances[at + row];
          xi[0] = 1.0;
          for (std::size_t j = 0; j < dim; ++j) xi[j + 1] = model_.means[at + j];
          double w = occupancy_[slot] * inv_var;
          double f = first_order_[slot * max_dim + row] * inv_var;
          for (std::size_t p = 0; p < n; ++p) {
            k[p] += f * xi[p];
            for (std::size_t q = 0; q < n; ++q) g[p * n + q] += w * xi[p] * xi[q];
          }
        }
      auto w = solve_linear(std::move(g), std::move(k));
      if (!w) {
        if (error) *error = "too little adaptation audio to estimate the transform";
        return std::nullopt;
      }
      b[row] = (*w)[0];
      for (std::size_t j = 0; j < dim; ++j) a[row * dim + j] = (*w)[j + 1];
    }
    t.a.push_back(std::move(a));
    t.b.push_back(std::move(b));
  }
  return t;
}

std::string format_mllr(const mllr_transform& t) {
  std::string out = "1\n" + std::to_string(t.a.size()) + "\n";
  char buf[32];
  auto put = [&](double v) {
    std::snprintf(buf, sizeof buf, "%.7g ", v);
    out += buf;
  };
  for (std::size_t s = 0; s < t.a.size(); ++s) {
    const auto dim = t.b[s].size();
    out += std::to_string(dim) + "\n";
    for (std::size_t r = 0; r < dim; ++r) {
      for (std::size_t c = 0; c < dim; ++c) put(t.a[s][r * dim + c]);
      out += "\n";
    }
    for (double v : t.b[s]) put(v);
    out += "\n";
    for (std::size_t r = 0; r < dim; ++r) put(1.0);
    out += "\n";
  }
  return out;
}

} // namespace ce::stt
