# R's verdict on the seven cases of issue 19 ("statistics that say when they cannot be trusted").
#
# Versions: R 4.2.2 Patched (2022-11-10 r83330); lavaan 0.6-14; psych 2.2.9; semTools 0.5-6;
# GPArotation 2022.10-2 (the script writes the versions it ran with to versions.txt).
#
# Data: the CSV files written by make_data.py (seeded simulations, see there).
# Run from this directory:  Rscript make_reference.R
# Writes verdicts.csv: case, what, key, value -- one row per number (15 significant digits) or per
# message R gave (an error, a warning, lavaan's convergence flag). "what" names the R call.
#
# Cases (the numbers follow the issue):
#   1  case1_invariance.csv   lavaan cfa(group = "g", group.equal = ...) for the four invariance models
#   1b case1_undetermined.csv the same on data where the configural model cannot be fitted; also each
#                             group alone, to see which group's model fails
#   2  case2_constant.csv     t.test, oneway.test, aov, kruskal.test, wilcox.test on an outcome constant
#                             within every group (3,3,3 | 4,4,4 | 5,5,5,5), and on one value overall
#   3  case3_zero_variance.csv psych::alpha with an item that has no variance (q6)
#   4  case4_copy.csv, case4_sum.csv  lavaan one-factor cfa and semTools::compRelSEM (omega) on all six
#                             items and on each set of five (omega if deleted); psych::alpha
#   5  case5_heywood.csv      lavaan one-factor cfa (a negative residual variance) and psych::fa
#                             (fm = "ml", 1 factor; the uniqueness at its bound)
#   6  case6_metric.csv       lavaan metric model (group.equal = "loadings")
#   7  case7_continuous.csv   lavaan two-factor cfa by mode on continuous indicators
suppressPackageStartupMessages({
  library(lavaan)
  library(psych)
  library(semTools)
})
writeLines(c(R.version.string,
             paste("lavaan", as.character(packageVersion("lavaan"))),
             paste("psych", as.character(packageVersion("psych"))),
             paste("semTools", as.character(packageVersion("semTools"))),
             paste("GPArotation", as.character(packageVersion("GPArotation")))),
           "versions.txt")

rows <- list()
put <- function(case, what, key, value) {
  value <- if (is.numeric(value)) sprintf("%.15g", value) else gsub("[\r\n ]+", " ", as.character(value))
  rows[[length(rows) + 1L]] <<- data.frame(case = case, what = what, key = key, value = value)
}
# run `expr`, recording R's errors and warnings as rows; return its value (NULL on error)
quietly <- function(case, what, expr) {
  out <- tryCatch(
    withCallingHandlers(expr, warning = function(w) {
      put(case, what, "warning", conditionMessage(w))
      invokeRestart("muffleWarning")
    }),
    error = function(e) {
      put(case, what, "error", conditionMessage(e))
      NULL
    })
  out
}
three <- "f1 =~ x1 + x2 + x3\n f2 =~ x4 + x5 + x6\n f3 =~ x7 + x8 + x9"
equal <- list(configural = "", metric = "loadings", scalar = c("loadings", "intercepts"),
              strict = c("loadings", "intercepts", "residuals"))
fit_row <- function(case, what, fit) {
  if (is.null(fit)) return(invisible())
  put(case, what, "converged", as.character(lavInspect(fit, "converged")))
  if (lavInspect(fit, "converged")) {
    fm <- fitMeasures(fit, c("chisq", "df", "cfi", "rmsea", "srmr"))
    for (k in names(fm)) put(case, what, k, fm[[k]])
  }
}

# ---- case 1: the four invariance models ------------------------------------------------------------
for (name in c("case1", "case1b")) {
  d <- read.csv(if (name == "case1") "case1_invariance.csv" else "case1_undetermined.csv")
  for (lv in names(equal)) {
    fit <- quietly(name, lv, cfa(three, d, group = "g", group.equal = equal[[lv]], meanstructure = TRUE))
    fit_row(name, lv, fit)
  }
  if (name == "case1") {
    fit <- cfa(three, d, group = "g", meanstructure = TRUE)
    pe <- parameterEstimates(fit)
    neg <- pe[pe$op == "~~" & pe$lhs == pe$rhs & pe$est < 0, ]
    for (i in seq_len(nrow(neg))) put(name, "configural", paste0("negative_variance_group", neg$group[i]), neg$lhs[i])
  }
  if (name == "case1b") {
    for (g in c("a", "b")) {
      fit <- quietly(name, paste0("group_", g), cfa(three, d[d$g == g, ], meanstructure = TRUE))
      if (!is.null(fit)) put(name, paste0("group_", g), "converged", as.character(lavInspect(fit, "converged")))
    }
  }
}

# ---- case 2: an outcome constant within every group ------------------------------------------------
d <- read.csv("case2_constant.csv")
d$mode <- factor(d$mode)
quietly("case2", "t.test", t.test(score ~ mode, data = d[d$mode != "c", ]))
w <- quietly("case2", "oneway.test", oneway.test(score ~ mode, data = d, var.equal = FALSE))
if (!is.null(w)) put("case2", "oneway.test", "statistic", unname(w$statistic))
a <- quietly("case2", "aov", summary(aov(score ~ mode, data = d)))
if (!is.null(a)) put("case2", "aov", "F", a[[1]][["F value"]][1])
k <- quietly("case2", "kruskal.test", kruskal.test(score ~ mode, data = d))
put("case2", "kruskal.test", "statistic", unname(k$statistic))
put("case2", "kruskal.test", "p_value", k$p.value)
for (pair in list(c("a", "b"), c("a", "c"), c("b", "c"))) {
  sub <- d[d$mode %in% pair, ]
  sub$mode <- droplevels(sub$mode)
  mw <- quietly("case2", paste0("wilcox.test_", pair[1], pair[2]),
                wilcox.test(score ~ mode, data = sub, exact = FALSE, correct = TRUE))
  put("case2", paste0("wilcox.test_", pair[1], pair[2]), "W", unname(mw$statistic))
  put("case2", paste0("wilcox.test_", pair[1], pair[2]), "p_value", mw$p.value)
}
same <- data.frame(mode = factor(rep(c("a", "b"), each = 3)), score = 3)
k <- quietly("case2_same", "kruskal.test", kruskal.test(score ~ mode, data = same))
if (!is.null(k)) put("case2_same", "kruskal.test", "statistic", unname(k$statistic))
quietly("case2_same", "t.test", t.test(score ~ mode, data = same))

# ---- case 3: an item without variance --------------------------------------------------------------
d <- read.csv("case3_zero_variance.csv")
a <- quietly("case3", "alpha", psych::alpha(d))
put("case3", "alpha", "nvar", ncol(a$r))
put("case3", "alpha", "raw_alpha", a$total$raw_alpha)
put("case3", "alpha", "std.alpha", a$total$std.alpha)
put("case3", "alpha", "average_r", a$total$average_r)
for (it in rownames(a$alpha.drop)) {
  put("case3", "alpha.drop", it, a$alpha.drop[it, "raw_alpha"])
  put("case3", "r.drop", it, a$item.stats[it, "r.drop"])
}

# ---- case 4: singular item sets --------------------------------------------------------------------
omega_of <- function(case, what, data) {
  items <- names(data)
  model <- paste("f =~", paste(items, collapse = " + "))
  fit <- quietly(case, what, cfa(model, data, meanstructure = TRUE))
  if (is.null(fit) || !lavInspect(fit, "converged")) {
    put(case, what, "omega", "NA")
    return(invisible())
  }
  put(case, what, "omega", unname(compRelSEM(fit, obs.var = TRUE)))
}
for (name in c("copy", "sum")) {
  case <- paste0("case4_", name)
  d <- read.csv(paste0(case, ".csv"))
  omega_of(case, "all", d)
  for (it in names(d)) omega_of(case, paste0("without_", it), d[, setdiff(names(d), it)])
  a <- quietly(case, "alpha", psych::alpha(d))
  if (!is.null(a)) put(case, "alpha", "raw_alpha", a$total$raw_alpha)
}

# ---- case 5: Heywood cases -------------------------------------------------------------------------
d <- read.csv("case5_heywood.csv")
fit <- quietly("case5", "cfa", cfa("f =~ y1 + y2 + y3 + y4 + y5", d, meanstructure = TRUE))
put("case5", "cfa", "converged", as.character(lavInspect(fit, "converged")))
pe <- standardizedSolution(fit)
put("case5", "cfa", "theta_y1", parameterEstimates(fit)$est[pe$op == "~~" & pe$lhs == "y1" & pe$rhs == "y1"])
put("case5", "cfa", "std_loading_y1", pe$est.std[pe$op == "=~" & pe$rhs == "y1"])
put("case5", "cfa", "chisq", fitMeasures(fit, "chisq"))
f <- quietly("case5", "fa", psych::fa(d, nfactors = 1, fm = "ml"))
for (it in names(d)) put("case5", "fa_uniqueness", it, unname(f$uniquenesses[it]))

# ---- case 6: a converged metric model --------------------------------------------------------------
d <- read.csv("case6_metric.csv")
fit <- quietly("case6", "metric", cfa(three, d, group = "g", group.equal = "loadings", meanstructure = TRUE))
fit_row("case6", "metric", fit)
put("case6", "metric", "max_abs_gradient", max(abs(lavInspect(fit, "gradient"))))

# ---- case 7: continuous indicators -----------------------------------------------------------------
d <- read.csv("case7_continuous.csv")
fit <- quietly("case7", "cfa", cfa("a =~ s1 + s2 + s3\n b =~ s4 + s5 + s6", d, group = "mode",
                                   meanstructure = TRUE))
fit_row("case7", "cfa", fit)
put("case7", "cfa", "ntotal", lavInspect(fit, "ntotal"))

write.csv(do.call(rbind, rows), "verdicts.csv", row.names = FALSE)
