#include "decima/tape.h"

#include <cassert>
#include <cmath>

namespace llmflow::decima {

Tape::Var Tape::push(Node n) {
  nodes.push_back(std::move(n));
  return Var(nodes.size() - 1);
}

Mat &Tape::gradOf(Var v) {
  Node &n = nodes[v];
  if (!n.touched) {
    n.grad.setZero(n.value.rows(), n.value.cols());
    n.touched = true;
  }
  return n.grad;
}

Tape::Var Tape::input(Mat value) {
  Node n;
  n.value = std::move(value);
  return push(std::move(n));
}

Tape::Var Tape::linear(Var x, Param &W, Param &b) {
  Var v = matmul(x, W);
  Node &n = nodes[v];
  n.op = Op::Linear;
  n.bias = &b;
  n.value.rowwise() += b.value.row(0);
  return v;
}

Tape::Var Tape::matmul(Var x, Param &W) {
  Node n;
  n.op = Op::MatMul;
  n.a = x;
  n.W = &W;
  n.value = nodes[x].value * W.value;
  return push(std::move(n));
}

Tape::Var Tape::leakyRelu(Var x) {
  Node n;
  n.op = Op::LeakyRelu;
  n.a = x;
  n.value = nodes[x].value.unaryExpr([](double v) { return v > 0 ? v : kLeak * v; });
  return push(std::move(n));
}

Tape::Var Tape::add(Var a, Var b) {
  Node n;
  n.op = Op::Add;
  n.a = a;
  n.b = b;
  const Mat &x = nodes[a].value, &y = nodes[b].value;
  assert(x.cols() == y.cols() && (y.rows() == x.rows() || y.rows() == 1));
  n.value = x;
  if (y.rows() == x.rows())
    n.value += y;
  else
    n.value.rowwise() += y.row(0);
  return push(std::move(n));
}

Tape::Var Tape::concat(Var a, Var b) {
  Node n;
  n.op = Op::Concat;
  n.a = a;
  n.b = b;
  const Mat &x = nodes[a].value, &y = nodes[b].value;
  assert(x.rows() == y.rows());
  n.value.resize(x.rows(), x.cols() + y.cols());
  n.value << x, y;
  return push(std::move(n));
}

Tape::Var Tape::sumRows(Var x) {
  Node n;
  n.op = Op::SumRows;
  n.a = x;
  n.value = nodes[x].value.colwise().sum();
  return push(std::move(n));
}

Tape::Var Tape::gatherSum(const std::vector<Var> &sources, std::vector<Pick> picks, Eigen::Index rows) {
  assert(!sources.empty());
  Node n;
  n.op = Op::GatherSum;
  n.value = Mat::Zero(rows, nodes[sources[0]].value.cols());
  for (const Pick &p : picks)
    n.value.row(p.row) += nodes[sources[p.source]].value.row(p.srcRow);
  n.sources = sources;
  n.picks = std::move(picks);
  return push(std::move(n));
}

Tape::Var Tape::logSoftmaxPick(Var s, std::vector<uint32_t> among, uint32_t pick) {
  Node n;
  n.op = Op::LogSoftmaxPick;
  n.a = s;
  const Mat &x = nodes[s].value;
  double top = -INFINITY;
  for (uint32_t i : among)
    top = std::max(top, x(i, 0));
  double z = 0;
  for (uint32_t i : among)
    z += std::exp(x(i, 0) - top);
  n.value = Mat::Constant(1, 1, x(pick, 0) - top - std::log(z));
  n.among = std::move(among);
  n.pick = pick;
  return push(std::move(n));
}

void Tape::zeroGrad() {
  for (Node &n : nodes)
    n.touched = false;
}

void Tape::seed(Var v, const Mat &g) { gradOf(v) += g; }

void Tape::backward() {
  for (size_t k = nodes.size(); k-- > 0;) {
    Node &n = nodes[k];
    if (!n.touched)
      continue;
    const Mat &g = n.grad;
    switch (n.op) {
    case Op::Input: break;
    case Op::Linear:
      n.bias->grad += g.colwise().sum();
      [[fallthrough]];
    case Op::MatMul:
      n.W->grad.noalias() += nodes[n.a].value.transpose() * g;
      gradOf(n.a).noalias() += g * n.W->value.transpose();
      break;
    case Op::LeakyRelu: {
      const Mat &x = nodes[n.a].value;
      gradOf(n.a) += g.binaryExpr(x, [](double gv, double xv) { return xv > 0 ? gv : kLeak * gv; });
      break;
    }
    case Op::Add:
      gradOf(n.a) += g;
      if (nodes[n.b].value.rows() == g.rows())
        gradOf(n.b) += g;
      else
        gradOf(n.b) += g.colwise().sum();
      break;
    case Op::Concat: {
      Eigen::Index ca = nodes[n.a].value.cols();
      gradOf(n.a) += g.leftCols(ca);
      gradOf(n.b) += g.rightCols(g.cols() - ca);
      break;
    }
    case Op::SumRows: gradOf(n.a).rowwise() += g.row(0); break;
    case Op::GatherSum:
      for (const Pick &p : n.picks)
        gradOf(n.sources[p.source]).row(p.srcRow) += g.row(p.row);
      break;
    case Op::LogSoftmaxPick: {
      const Mat &x = nodes[n.a].value;
      Mat &ga = gradOf(n.a);
      double top = -INFINITY;
      for (uint32_t i : n.among)
        top = std::max(top, x(i, 0));
      double z = 0;
      for (uint32_t i : n.among)
        z += std::exp(x(i, 0) - top);
      for (uint32_t i : n.among)
        ga(i, 0) -= g(0, 0) * std::exp(x(i, 0) - top) / z;
      ga(n.pick, 0) += g(0, 0);
      break;
    }
    }
  }
}

} // namespace llmflow::decima
