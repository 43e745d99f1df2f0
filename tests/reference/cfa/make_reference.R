# Reference values for belonging.psychometrics.cfa / invariance, computed with lavaan.
#
# Run from this directory:  Rscript make_reference.R
# Writes (all numbers with 15 significant digits):
#   versions.txt                 R and lavaan versions
#   holzinger_swineford_1939.csv lavaan::HolzingerSwineford1939 (Holzinger & Swineford 1939; shipped
#                                with lavaan under GPL >= 2; data are facts of the 1939 study)
#   likert_two_groups.csv        simulated 1-5 responses, 2 groups, 2 factors, invariant population
#   likert_three_groups.csv      simulated 1-5 responses, 3 groups, 2 factors, one non-invariant
#                                intercept (q3 in group "online") and loading (q6 in "hybrid")
#   fit_measures.csv             case, measure, value
#   estimates.csv                case, group, lhs, op, rhs, est, se, z, pvalue, std_all
#   score_tests.csv              case, group, lhs, op, rhs, group_other, x2, df, pvalue
#                                (lavTestScore univariate tests of the equality constraints)
#   comparisons.csv              case, model, chisq_diff, df_diff, pvalue (lavTestLRT)
suppressPackageStartupMessages(library(lavaan))

writeLines(c(R.version.string, paste("lavaan", as.character(packageVersion("lavaan")))),
           "versions.txt")
options(digits = 15)
fmt <- function(df) {
  for (j in seq_along(df)) if (is.double(df[[j]])) df[[j]] <- trimws(formatC(df[[j]], digits = 15, format = "g"))
  df
}

hs <- lavaan::HolzingerSwineford1939
write.csv(hs, "holzinger_swineford_1939.csv", row.names = FALSE, quote = FALSE)

# ---- simulated Likert data ------------------------------------------------------------------
set.seed(20240611)
simulate_group <- function(n, lambda, tau_shift, latent_mean, phi) {
  # two correlated factors, 4 items each, ordinal 1-5 by cutting a continuous response
  L <- t(chol(matrix(c(1, phi, phi, 1), 2)))
  eta <- matrix(rnorm(2 * n), n) %*% t(L)
  eta <- sweep(eta, 2, latent_mean, "+")
  fac <- c(1, 1, 1, 1, 2, 2, 2, 2)
  ystar <- sapply(1:8, function(j) lambda[j] * eta[, fac[j]] + sqrt(1 - lambda[j]^2) * rnorm(n))
  cuts <- c(-1.6, -0.6, 0.3, 1.2)
  y <- sapply(1:8, function(j) findInterval(ystar[, j] - tau_shift[j], cuts) + 1L)
  colnames(y) <- paste0("q", 1:8)
  as.data.frame(y)
}
lam <- c(0.75, 0.7, 0.65, 0.7, 0.8, 0.6, 0.7, 0.65)
g1 <- simulate_group(320, lam, rep(0, 8), c(0, 0), 0.4)
g2 <- simulate_group(280, lam, rep(0, 8), c(0.3, -0.2), 0.4)
lik2 <- rbind(cbind(mode = "in_person", g1), cbind(mode = "online", g2))
write.csv(lik2, "likert_two_groups.csv", row.names = FALSE, quote = FALSE)

lam_h <- lam; lam_h[6] <- 0.3
h1 <- simulate_group(300, lam, rep(0, 8), c(0, 0), 0.5)
h2 <- simulate_group(250, lam, c(0, 0, 0.8, 0, 0, 0, 0, 0), c(0.2, 0.1), 0.5)
h3 <- simulate_group(200, lam_h, rep(0, 8), c(-0.1, 0.2), 0.5)
lik3 <- rbind(cbind(mode = "in_person", h1), cbind(mode = "online", h2), cbind(mode = "hybrid", h3))
write.csv(lik3, "likert_three_groups.csv", row.names = FALSE, quote = FALSE)

# ---- models ---------------------------------------------------------------------------------
HS.model <- " visual  =~ x1 + x2 + x3
              textual =~ x4 + x5 + x6
              speed   =~ x7 + x8 + x9 "
LK.model <- " f1 =~ q1 + q2 + q3 + q4
              f2 =~ q5 + q6 + q7 + q8 "
LK1.model <- " all =~ q1 + q2 + q3 + q4 + q5 + q6 + q7 + q8 "

levels_eq <- list(configural = "", metric = "loadings",
                  scalar = c("loadings", "intercepts"),
                  strict = c("loadings", "intercepts", "residuals"))
measures <- c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper",
              "srmr", "aic", "bic", "logl", "npar", "ntotal", "baseline.chisq", "baseline.df")

fits <- list()
# single group: meanstructure = TRUE so that the model matches ours (saturated means; chisq, df,
# CFI, TLI, RMSEA, loadings and SEs equal lavaan's default fit; npar/AIC/BIC/SRMR count the means)
fits$hs_single <- cfa(HS.model, data = hs, meanstructure = TRUE)
fits$hs_single_stdlv <- cfa(HS.model, data = hs, meanstructure = TRUE, std.lv = TRUE)
fits$likert_single_onefactor <- cfa(LK1.model, data = lik2, meanstructure = TRUE)
for (lv in names(levels_eq)) {
  fits[[paste0("hs_", lv)]] <- cfa(HS.model, data = hs, group = "school", group.equal = levels_eq[[lv]])
  fits[[paste0("likert2_", lv)]] <- cfa(LK.model, data = lik2, group = "mode",
                                       group.equal = levels_eq[[lv]])
  fits[[paste0("likert3_", lv)]] <- cfa(LK.model, data = lik3, group = "mode",
                                       group.equal = levels_eq[[lv]])
}
fits$hs_metric_stdlv <- cfa(HS.model, data = hs, group = "school", group.equal = "loadings",
                            std.lv = TRUE)
fits$hs_scalar_stdlv <- cfa(HS.model, data = hs, group = "school",
                            group.equal = c("loadings", "intercepts"), std.lv = TRUE)

fm <- do.call(rbind, lapply(names(fits), function(k) {
  v <- fitMeasures(fits[[k]], measures)
  data.frame(case = k, measure = names(v), value = as.numeric(v))
}))
write.csv(fmt(fm), "fit_measures.csv", row.names = FALSE, quote = FALSE)

est <- do.call(rbind, lapply(names(fits), function(k) {
  f <- fits[[k]]
  pe <- parameterEstimates(f, standardized = TRUE, ci = FALSE)
  glab <- lavInspect(f, "group.label")
  grp <- if (is.null(pe$group)) rep("", nrow(pe)) else
    ifelse(pe$group > 0, glab[pmax(pe$group, 1)], "")
  pe <- pe[pe$op %in% c("=~", "~~", "~1"), ]
  grp <- grp[as.integer(rownames(pe))]
  data.frame(case = k, group = grp, lhs = pe$lhs, op = pe$op, rhs = pe$rhs, est = pe$est,
             se = pe$se, z = pe$z, pvalue = pe$pvalue, std_all = pe$std.all)
}))
write.csv(fmt(est), "estimates.csv", row.names = FALSE, quote = FALSE)

# univariate score tests of each equality constraint (group 1 parameter == group g parameter)
sc <- do.call(rbind, lapply(grep("_(metric|scalar|strict)$", names(fits), value = TRUE), function(k) {
  f <- fits[[k]]
  pt <- parTable(f)
  glab <- lavInspect(f, "group.label")
  uni <- lavTestScore(f, univariate = TRUE, cumulative = FALSE)$uni
  a <- match(uni$lhs, pt$plabel); b <- match(uni$rhs, pt$plabel)
  data.frame(case = k, group = glab[pt$group[a]], lhs = pt$lhs[a], op = pt$op[a], rhs = pt$rhs[a],
             group_other = glab[pt$group[b]], x2 = uni$X2, df = uni$df, pvalue = uni$p.value)
}))
write.csv(fmt(sc), "score_tests.csv", row.names = FALSE, quote = FALSE)

cmp <- do.call(rbind, lapply(c("hs", "likert2", "likert3"), function(d) {
  lv <- names(levels_eq)
  do.call(rbind, lapply(2:4, function(i) {
    t <- lavTestLRT(fits[[paste0(d, "_", lv[i])]], fits[[paste0(d, "_", lv[i - 1])]])
    data.frame(case = d, model = lv[i], chisq_diff = t[["Chisq diff"]][2],
               df_diff = t[["Df diff"]][2], pvalue = t[["Pr(>Chisq)"]][2])
  }))
}))
write.csv(fmt(cmp), "comparisons.csv", row.names = FALSE, quote = FALSE)
