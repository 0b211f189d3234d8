#include "estimate/train_app.h"

#include <algorithm>

namespace llmflow::estimate {

llvm::Expected<TrainedApp> trainApp(const ir::Module &m, const ir::App &app,
                                    const std::vector<profile::JobProfile> &profiles, const bn::TrainOptions &opts) {
  AppModel am = appModel(m, app);
  std::vector<profile::JobProfile> mine;
  for (const profile::JobProfile &p : profiles)
    if (p.app == am.app)
      mine.push_back(p);
  auto ds = dataset(am, mine);
  if (!ds)
    return ds.takeError();
  auto net = bn::train(*ds, am.specs, opts);
  if (!net)
    return net.takeError();
  net->app = am.app;
  auto indep = bn::independent(*net, *ds, opts.smoothing);
  if (!indep)
    return indep.takeError();
  auto a = AppBN::make(am, std::move(*net));
  if (!a)
    return a.takeError();
  auto b = AppBN::make(std::move(am), std::move(*indep));
  if (!b)
    return b.takeError();
  return TrainedApp{std::move(*a), std::move(*b), std::move(*ds)};
}

llvm::Expected<TrainedApp> loadApp(const ir::Module &m, const ir::App &app, bn::Network net) {
  bn::Network flat = bn::withoutEdges(net);
  auto a = AppBN::make(appModel(m, app), std::move(net));
  if (!a)
    return a.takeError();
  auto b = AppBN::make(appModel(m, app), std::move(flat));
  if (!b)
    return b.takeError();
  return TrainedApp{std::move(*a), std::move(*b), {}};
}

std::vector<TableSupport> tableSupport(const bn::Network &n, const bn::Dataset &data) {
  std::vector<int> col(n.vars.size(), -1);
  for (unsigned v = 0; v < n.vars.size(); ++v)
    for (size_t c = 0; c < data.columns.size(); ++c)
      if (data.columns[c] == n.vars[v].name)
        col[v] = int(c);
  std::vector<TableSupport> out;
  for (unsigned v = 0; v < n.vars.size(); ++v) {
    size_t configs = 1;
    for (unsigned p : n.parents[v])
      configs *= n.vars[p].card();
    std::vector<size_t> rows(configs, 0);
    for (const auto &row : data.rows) {
      size_t k = 0;
      bool ok = true;
      for (unsigned p : n.parents[v]) {
        auto st = col[p] >= 0 ? n.stateOf(p, row[size_t(col[p])]) : std::nullopt;
        ok &= bool(st);
        k = k * n.vars[p].card() + (st ? *st : 0);
      }
      if (ok)
        ++rows[k];
    }
    std::sort(rows.begin(), rows.end());
    out.push_back({n.vars[v].name, configs, rows.front(), rows[rows.size() / 2]});
  }
  return out;
}

} // namespace llmflow::estimate
