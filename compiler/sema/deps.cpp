// Dependencies between the stages of one block: cycle detection, a stable
// topological order (dependencies first, then source order), and the
// unused / unreachable warnings.
#include "sema/checker.h"

#include <queue>

namespace llmflow::sema {

std::vector<const ast::Stmt *> Checker::stagesInOrder() const {
  std::vector<const ast::Stmt *> v;
  for (auto &entry : appStages)
    v.push_back(entry.second);
  std::sort(v.begin(), v.end(), [&](auto *a, auto *b) { return stmtIndex.lookup(a) < stmtIndex.lookup(b); });
  return v;
}

void Checker::orderBlock(AppInfo &app, const ast::Block *b) {
  std::vector<const ast::Stmt *> stages;
  for (const ast::Stmt *s : b->stmts)
    if (s->kind != ast::Stmt::Kind::Yield && s->kind != ast::Stmt::Kind::Return && s->kind != ast::Stmt::Kind::Let &&
        appStages.lookup(s->name) == s)
      stages.push_back(s);
  // Kahn's algorithm; among ready stages the earliest in the source goes first.
  llvm::DenseMap<const ast::Stmt *, unsigned> indegree;
  llvm::DenseMap<const ast::Stmt *, std::vector<const ast::Stmt *>> users;
  for (const ast::Stmt *s : stages) {
    indegree[s] += 0;
    for (const ast::Stmt *d : out->stages[s].deps) {
      ++indegree[s];
      users[d].push_back(s);
    }
  }
  auto later = [&](const ast::Stmt *a, const ast::Stmt *b) { return stmtIndex.lookup(a) > stmtIndex.lookup(b); };
  std::priority_queue<const ast::Stmt *, std::vector<const ast::Stmt *>, decltype(later)> ready(later);
  for (const ast::Stmt *s : stages)
    if (indegree[s] == 0)
      ready.push(s);
  std::vector<const ast::Stmt *> order;
  while (!ready.empty()) {
    const ast::Stmt *s = ready.top();
    ready.pop();
    order.push_back(s);
    for (const ast::Stmt *u : users[s])
      if (--indegree[u] == 0)
        ready.push(u);
  }
  if (order.size() != stages.size()) {
    // Every stage left has an unfinished dependency: walk dependencies from
    // the first one until a stage repeats; that loop is the cycle.
    const ast::Stmt *start = nullptr;
    for (const ast::Stmt *s : stages)
      if (indegree[s] > 0) { start = s; break; }
    std::vector<const ast::Stmt *> path;
    llvm::DenseMap<const ast::Stmt *, size_t> pos;
    const ast::Stmt *cur = start;
    while (!pos.count(cur)) {
      pos[cur] = path.size();
      path.push_back(cur);
      const ast::Stmt *next = nullptr;
      for (const ast::Stmt *d : out->stages[cur].deps)
        if (indegree[d] > 0) { next = d; break; }
      assert(next && "a stage left by Kahn's algorithm has a pending dependency");
      cur = next;
    }
    std::vector<const ast::Stmt *> cycle(path.begin() + long(pos[cur]), path.end());
    std::string text;
    for (const ast::Stmt *s : cycle)
      text += "'" + s->name + "' -> ";
    text += "'" + cycle.front()->name + "'";
    auto diag = diags.report(DiagID::ErrDependencyCycle, cycle.front()->nameRange);
    diag << text;
    for (size_t i = 0; i < cycle.size(); ++i) {
      const ast::Stmt *from = cycle[i], *to = cycle[(i + 1) % cycle.size()];
      const StageInfo &fi = out->stages[from];
      llvm::SMRange where = from->nameRange;
      for (size_t k = 0; k < fi.deps.size(); ++k)
        if (fi.deps[k] == to)
          where = fi.depRanges[k];
      diag.note(DiagID::NoteCycleStep, where, {from->name, to->name});
    }
    for (const ast::Stmt *s : stages)
      if (indegree[s] > 0)
        order.push_back(s);
  }
  app.order[b] = order;
  for (const ast::Stmt *s : stages) {
    if (s->body)
      orderBlock(app, s->body);
    if (s->elseBody)
      orderBlock(app, s->elseBody);
  }
}

void Checker::warnUnused(AppInfo &app) {
  for (const ast::Stmt *s : stagesInOrder()) {
    const StageInfo &si = out->stages[s];
    if (s->kind == ast::Stmt::Kind::Let) {
      if (!si.used)
        diags.report(DiagID::WarnUnusedLet, s->nameRange) << s->name;
      continue;
    }
    if (si.unreachable) {
      if (si.parent && !out->stages[si.parent].unreachable) {
        std::string why = si.parent->kind == ast::Stmt::Kind::Map
                              ? "'" + si.parent->name + "' maps over an empty list"
                              : "the condition of '" + si.parent->name + "' is always " +
                                    (si.parent->expr->boolValue ? "true" : "false");
        diags.report(DiagID::WarnUnreachable, s->nameRange) << s->name << why;
      }
      continue;
    }
    if (!si.used)
      diags.report(DiagID::WarnUnusedStage, s->nameRange) << s->name;
  }
  auto reads = defaultReads.find(app.decl);
  for (const ast::Param &p : app.decl->params)
    if (!usedInputs.lookup(p.name) && (reads == defaultReads.end() || !reads->second.count(p.name)))
      diags.report(DiagID::WarnUnusedInput, p.nameRange) << p.name;
}

} // namespace llmflow::sema
