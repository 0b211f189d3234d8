#include "decima/train.h"

#include "decima/scheduler.h"

#include <chrono>
#include <cmath>
#include <thread>

namespace llmflow::decima {
namespace {

uint64_t mix(uint64_t a, uint64_t b) {
  uint64_t x = a * 0x9e3779b97f4a7c15ULL + b + 0x632be59bd9b4e019ULL;
  x ^= x >> 31;
  x *= 0xbf58476d1ce4e5b9ULL;
  return x ^ (x >> 29);
}

struct Episode {
  std::vector<Step> steps;
  std::vector<std::pair<double, double>> jobs;   // (arrival, finish)
  double avgJCT = 0;
};

/// Minus the time jobs spend in the system after t: the episode's return from t.
double returnAfter(const Episode &e, double t) {
  double r = 0;
  for (auto [a, f] : e.jobs)
    if (f > t)
      r -= f - std::max(a, t);
  return r;
}

struct Sequence {
  std::vector<sim::SimJob> jobs;
  sim::SimConfig config;
};

Sequence sequence(const TrainSetup &s, unsigned jobs, uint64_t seed) {
  Sequence q;
  q.jobs = sim::makeJobs(*s.data, jobs, s.rate, mix(seed, 1));
  q.config = s.config;
  q.config.seed = mix(seed, 2);
  return q;
}

double averageJCT(const sim::SimResult &r) {
  double sum = 0;
  for (const sim::JobOutcome &o : r.jobs)
    sum += o.finish - o.arrival;
  return r.jobs.empty() ? 0 : sum / double(r.jobs.size());
}

Episode runEpisode(const TrainSetup &s, const Sequence &q, const Policy &policy, uint64_t seed) {
  DecimaScheduler sched(policy, {true, true, seed});
  sim::SimResult r = sim::simulate(*s.apps, q.jobs, sched, q.config);
  Episode e;
  e.steps = sched.takeSteps();
  for (const sim::JobOutcome &o : r.jobs)
    e.jobs.push_back({o.arrival, o.finish});
  e.avgJCT = averageJCT(r);
  return e;
}

struct Adam {
  std::vector<double> m, v;
  unsigned t = 0;
  void step(Network &net, const std::vector<double> &ascent, double lr) {
    const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
    if (m.empty()) {
      m.assign(ascent.size(), 0);
      v.assign(ascent.size(), 0);
    }
    ++t;
    size_t i = 0;
    for (Param *p : net.params())
      for (Eigen::Index k = 0; k < p->value.size(); ++k, ++i) {
        m[i] = b1 * m[i] + (1 - b1) * ascent[i];
        v[i] = b2 * v[i] + (1 - b2) * ascent[i] * ascent[i];
        double mh = m[i] / (1 - std::pow(b1, t)), vh = v[i] / (1 - std::pow(b2, t));
        p->value.data()[k] += lr * mh / (std::sqrt(vh) + eps);
      }
  }
};

} // namespace

double validate(const TrainSetup &setup, const Policy &policy, uint64_t seed) {
  Sequence q = sequence(setup, setup.jobs, mix(seed, 0x7a11d));
  DecimaScheduler sched(policy, {false, false, seed});
  return averageJCT(sim::simulate(*setup.apps, q.jobs, sched, q.config));
}

TrainReport train(const TrainSetup &setup, Policy &policy, const TrainOptions &o,
                  const std::function<void(const IterationStats &)> &progress) {
  auto wall0 = std::chrono::steady_clock::now();
  TrainReport report;
  {
    Sequence q = sequence(setup, setup.jobs, mix(o.seed, 0x7a11d));
    auto fcfs = sched::makeFCFS();
    report.fcfsJCT = averageJCT(sim::simulate(*setup.apps, q.jobs, *fcfs, q.config));
  }
  report.initialJCT = report.bestJCT = validate(setup, policy, o.seed);
  Network best = policy.net;
  Adam adam;
  unsigned perIter = std::max(1u, o.perIteration);
  unsigned iterations = (o.episodes + perIter - 1) / perIter;
  unsigned ramp = std::max(1u, unsigned(std::ceil(o.rampShare * iterations)));
  for (unsigned it = 0; it < iterations; ++it) {
    unsigned jobs = std::min(setup.jobs, o.firstJobs + (setup.jobs - std::min(setup.jobs, o.firstJobs)) * it / ramp);
    Sequence q = sequence(setup, jobs, mix(o.seed, 1000 + it));
    std::vector<Episode> eps(perIter);
    auto work = [&](unsigned first) {
      for (unsigned k = first; k < perIter; k += std::max(1u, o.threads))
        eps[k] = runEpisode(setup, q, policy, mix(o.seed, mix(it, k)));
    };
    std::vector<std::thread> pool;
    for (unsigned th = 1; th < std::min(std::max(1u, o.threads), perIter); ++th)
      pool.emplace_back(work, th);
    work(0);
    for (std::thread &th : pool)
      th.join();
    // Advantages: the return after each decision minus the mean return at
    // that time over the iteration's episodes, scaled to unit spread.
    std::vector<std::vector<double>> adv(perIter);
    double sq = 0;
    size_t count = 0;
    for (unsigned k = 0; k < perIter; ++k)
      for (const Step &st : eps[k].steps) {
        double base = 0;
        for (const Episode &other : eps)
          base += returnAfter(other, st.time);
        double a = returnAfter(eps[k], st.time) - base / perIter;
        adv[k].push_back(a);
        sq += a * a;
        ++count;
      }
    double spread = count ? std::sqrt(sq / double(count)) : 0;
    std::vector<double> ascent(policy.net.size(), 0);
    if (spread > 0) {
      for (unsigned k = 0; k < perIter; ++k)
        for (size_t d = 0; d < eps[k].steps.size(); ++d) {
          double w = adv[k][d] / spread / double(perIter);
          const std::vector<float> &g = eps[k].steps[d].grad;
          for (size_t i = 0; i < g.size(); ++i)
            ascent[i] += w * double(g[i]);
        }
      adam.step(policy.net, ascent, o.learningRate);
    }
    IterationStats s;
    s.iteration = it + 1;
    s.episodes = (it + 1) * perIter;
    s.jobs = jobs;
    for (const Episode &e : eps)
      s.trainJCT += e.avgJCT / perIter;
    if ((it + 1) % std::max(1u, o.validateEvery) == 0 || it + 1 == iterations) {
      s.validationJCT = validate(setup, policy, o.seed);
      if (s.validationJCT < report.bestJCT) {
        report.bestJCT = s.validationJCT;
        report.bestIteration = it + 1;
        best = policy.net;
      }
    }
    s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    report.curve.push_back(s);
    if (progress)
      progress(s);
  }
  policy.net = best;
  policy.seed = o.seed;
  policy.episodes = iterations * perIter;
  return report;
}

} // namespace llmflow::decima
