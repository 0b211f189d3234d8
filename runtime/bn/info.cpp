// Entropy and mutual information of explicit probability tables, in bits.
// I(X; Y) is computed as the docs state it: H(Y) - sum_x P(x) H(Y | X = x);
// Y may be a joint of several variables flattened into one axis.
#include "bn/bn.h"

#include <cassert>
#include <cmath>

namespace llmflow::bn {

double entropyBits(llvm::ArrayRef<double> p) {
  double z = 0;
  for (double x : p)
    z += x;
  if (!(z > 0))
    return 0;
  double h = 0;
  for (double x : p)
    if (x > 0)
      h -= (x / z) * std::log2(x / z);
  return h;
}

double mutualInformationBits(llvm::ArrayRef<double> joint, unsigned cardX) {
  assert(cardX > 0 && joint.size() % cardX == 0 && "joint is cardX rows of equal length");
  size_t cardY = joint.size() / cardX;
  double z = 0;
  for (double x : joint)
    z += x;
  if (!(z > 0))
    return 0;
  std::vector<double> py(cardY, 0.0);
  for (unsigned x = 0; x < cardX; ++x)
    for (size_t y = 0; y < cardY; ++y)
      py[y] += joint[x * cardY + y];
  double conditional = 0;
  for (unsigned x = 0; x < cardX; ++x) {
    llvm::ArrayRef<double> row = joint.slice(x * cardY, cardY);
    double px = 0;
    for (double v : row)
      px += v;
    if (px > 0)
      conditional += (px / z) * entropyBits(row);
  }
  double mi = entropyBits(py) - conditional;
  return mi > 0 ? mi : 0;                    // rounding can dip below zero
}

} // namespace llmflow::bn
