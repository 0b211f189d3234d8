// A small reverse-mode gradient for the Decima network: a tape of matrix
// operations (Eigen, row-major, one row per graph node or candidate) that
// records values on the way forward and sends gradients back through the
// same records. Only the operations the network needs; each one's gradient
// is checked against finite differences (tests/unit/decima). A tape can be
// run backward many times from different seeds (a cached job encoding is
// reused across decisions), and gradients of parameters accumulate in the
// parameters until the caller clears them.
#pragma once

#include <Eigen/Dense>

#include <cstdint>
#include <string>
#include <vector>

namespace llmflow::decima {

using Mat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct Param {
  std::string name;
  Mat value, grad;
  void init(std::string n, Eigen::Index rows, Eigen::Index cols) {
    name = std::move(n);
    value = Mat::Zero(rows, cols);
    grad = Mat::Zero(rows, cols);
  }
};

/// Leaky ReLU's slope below zero.
inline constexpr double kLeak = 0.2;

class Tape {
public:
  using Var = uint32_t;

  /// One row of a gatherSum: out[row] += src[srcRow] of sources[source].
  struct Pick {
    uint32_t row, source, srcRow;
  };

  void clear() { nodes.clear(); }
  size_t size() const { return nodes.size(); }

  /// A value from outside (features, or another tape's output): its
  /// gradient is read with grad() after backward().
  Var input(Mat value);
  /// x W + b (b a 1 x n row, broadcast over x's rows).
  Var linear(Var x, Param &W, Param &b);
  /// x W.
  Var matmul(Var x, Param &W);
  Var leakyRelu(Var x);
  /// a + b; b may be a single row, broadcast over a's rows.
  Var add(Var a, Var b);
  /// [a b] (columns side by side).
  Var concat(Var a, Var b);
  /// The sum of x's rows (1 x cols).
  Var sumRows(Var x);
  /// A rows x cols matrix whose rows are sums of rows of the sources.
  Var gatherSum(const std::vector<Var> &sources, std::vector<Pick> picks, Eigen::Index rows);
  /// log softmax(s)[pick] over the entries `among` of the column s (1 x 1).
  Var logSoftmaxPick(Var s, std::vector<uint32_t> among, uint32_t pick);

  const Mat &value(Var v) const { return nodes[v].value; }
  /// v's gradient since the last zeroGrad() (zero if nothing reached it).
  const Mat &grad(Var v) { return gradOf(v); }

  /// Clears every gradient on the tape (not the parameters').
  void zeroGrad();
  /// Adds to v's gradient (the seed of a backward pass).
  void seed(Var v, const Mat &g);
  /// Sends gradients from every seeded value back to the inputs and into the
  /// parameters' grad (accumulating).
  void backward();

private:
  enum class Op : uint8_t { Input, Linear, MatMul, LeakyRelu, Add, Concat, SumRows, GatherSum, LogSoftmaxPick };
  struct Node {
    Op op = Op::Input;
    Var a = 0, b = 0;
    Param *W = nullptr, *bias = nullptr;
    Mat value, grad;
    std::vector<Var> sources;
    std::vector<Pick> picks;
    std::vector<uint32_t> among;
    uint32_t pick = 0;
    bool touched = false;   // grad is not all zero
  };
  Var push(Node n);
  Mat &gradOf(Var v);
  std::vector<Node> nodes;
};

} // namespace llmflow::decima
