# Reference values for belonging.compare (package belonging.groups; tests/groups/).
#
# Data: simulated here (set.seed below) and written to tests/reference/compare/data.csv and
# waves.csv. 600 respondents, four participation modes with unequal sizes and spreads, 30 course
# sections in 3 strata (10 sections each, nested), sampling weights, two covariates and three
# participation measures. Scores are means of 8 Likert items (multiples of 1/8 on 1..5), so ties occur.
#
# Everything that is not an R function (Games-Howell, Hedges' g and its CI, eta/omega-squared CIs by
# inverting the noncentral F, Wilson CI via prop.test, rank-biserial CI) is computed here from its
# published formula, so the Python code is checked against an independent implementation.
#
# Run from the repository root:  Rscript tests/reference/compare/make_reference.R
suppressPackageStartupMessages({
  library(survey)
  library(nlme)
  library(sandwich)
  library(lmtest)
})
out <- "tests/reference/compare"
f17 <- function(df) {
  for (nm in names(df)) if (is.numeric(df[[nm]])) df[[nm]] <- sprintf("%.17g", df[[nm]])
  df
}
wr <- function(df, name) write.csv(f17(df), file.path(out, name), row.names = FALSE, quote = TRUE)
writeLines(c(R.version.string,
             paste("stats", as.character(packageVersion("stats"))),
             paste("survey", as.character(packageVersion("survey"))),
             paste("nlme", as.character(packageVersion("nlme"))),
             paste("sandwich", as.character(packageVersion("sandwich"))),
             paste("lmtest", as.character(packageVersion("lmtest")))),
           file.path(out, "versions.txt"))

# ---------------------------------------------------------------- data
set.seed(20261128)
n <- 600
modes <- c("in_person", "hybrid", "online_sync", "online_async")
mode <- sample(modes, n, replace = TRUE, prob = c(0.40, 0.25, 0.20, 0.15))
mu <- c(in_person = 3.6, hybrid = 3.45, online_sync = 3.3, online_async = 3.05)
sdv <- c(in_person = 0.55, hybrid = 0.65, online_sync = 0.75, online_async = 0.9)
section <- sample(1:30, n, replace = TRUE)
stratum <- c("A", "B", "C")[ceiling(section / 10)]
u <- rnorm(30, 0, 0.25)
first_gen <- rbinom(n, 1, 0.35)
prior_gpa <- round(pmin(4, pmax(1.5, rnorm(n, 3.0, 0.45))), 2)
forum_posts <- rpois(n, ifelse(mode == "online_async", 9, 4))
breakout_sessions <- rpois(n, ifelse(mode %in% c("online_sync", "hybrid"), 5, 2))
live_hours <- round(rgamma(n, shape = 3, rate = ifelse(mode == "online_async", 1.5, 0.6)), 1)
raw <- mu[mode] + u[section] - 0.12 * first_gen + 0.2 * (prior_gpa - 3) +
  0.04 * (forum_posts - 5) + 0.03 * (breakout_sessions - 3) + rnorm(n, 0, sdv[mode])
y <- pmin(5, pmax(1, round(raw * 8) / 8))
w <- round(runif(n, 0.5, 3.0) * ifelse(mode == "online_async", 1.4, 1.0), 3)
d <- data.frame(response_id = sprintf("r%04d", 1:n), mode = mode, section = sprintf("s%02d", section),
                stratum = stratum, weight = w, first_gen = first_gen, prior_gpa = prior_gpa,
                forum_posts = forum_posts, breakout_sessions = breakout_sessions,
                live_hours = live_hours, belonging = y)
write.csv(f17(d), file.path(out, "data.csv"), row.names = FALSE)
d$mode <- factor(d$mode)  # levels in alphabetical order, as belonging sorts groups
lev <- levels(d$mode)
conf <- 0.95
midpoint <- 3

# ---------------------------------------------------------------- descriptives
desc_row <- function(x, g) {
  nn <- length(x); m <- mean(x); s <- sd(x); se <- s / sqrt(nn)
  q <- qt(1 - (1 - conf) / 2, nn - 1)
  fav <- sum(x > midpoint)
  wil <- prop.test(fav, nn, conf.level = conf, correct = FALSE)$conf.int  # Wilson score interval
  qq <- quantile(x, c(0.25, 0.5, 0.75), type = 7)
  data.frame(group = g, n = nn, mean = m, sd = s, se = se, ci_low = m - q * se, ci_high = m + q * se,
             median = qq[[2]], q1 = qq[[1]], q3 = qq[[3]], iqr = IQR(x), n_favourable = fav,
             percent_favourable = 100 * fav / nn, fav_ci_low = 100 * wil[1], fav_ci_high = 100 * wil[2])
}
desc <- do.call(rbind, c(lapply(lev, function(g) desc_row(d$belonging[d$mode == g], g)),
                         list(desc_row(d$belonging, "(overall)"))))
wr(desc, "descriptives.csv")

# ---------------------------------------------------------------- omnibus
N <- nrow(d); k <- length(lev)
welch <- oneway.test(belonging ~ mode, data = d, var.equal = FALSE)
classic <- oneway.test(belonging ~ mode, data = d, var.equal = TRUE)
fit_aov <- aov(belonging ~ mode, data = d)
tab <- summary(fit_aov)[[1]]
ssb <- tab[1, "Sum Sq"]; ssw <- tab[2, "Sum Sq"]; msw <- tab[2, "Mean Sq"]
eta2 <- ssb / (ssb + ssw)
omega2 <- (ssb - (k - 1) * msw) / (ssb + ssw + msw)
# CI of the population proportion of variance explained (Steiger 2004): invert the noncentral F
# for the noncentrality lambda, then lambda / (lambda + N).
ncp_ci <- function(f, df1, df2) {
  lo_p <- 1 - (1 - conf) / 2; hi_p <- (1 - conf) / 2
  g <- function(l, p) pf(f, df1, df2, ncp = l) - p
  lower <- if (pf(f, df1, df2) < lo_p) 0 else uniroot(g, c(0, 1e4), p = lo_p, tol = 1e-12)$root
  upper <- if (pf(f, df1, df2) < hi_p) 0 else uniroot(g, c(0, 1e4), p = hi_p, tol = 1e-12)$root
  c(lower, upper)
}
lam <- ncp_ci(tab[1, "F value"], k - 1, N - k)
kw <- kruskal.test(belonging ~ mode, data = d)
r <- rank(d$belonging)
rank_tab <- summary(aov(r ~ d$mode))[[1]]
eps2 <- unname(kw$statistic) / (N - 1)  # = eta-squared of the midranks
lam_r <- ncp_ci(rank_tab[1, "F value"], k - 1, N - k)
omni <- data.frame(
  test = c("welch_anova", "anova", "kruskal_wallis"),
  statistic = c(welch$statistic, tab[1, "F value"], kw$statistic),
  df1 = c(welch$parameter[1], k - 1, kw$parameter), df2 = c(welch$parameter[2], N - k, NA),
  p_value = c(welch$p.value, tab[1, "Pr(>F)"], kw$p.value),
  effect_size = c(eta2, eta2, eps2),
  es_ci_low = c(lam[1] / (lam[1] + N), lam[1] / (lam[1] + N), lam_r[1] / (lam_r[1] + N)),
  es_ci_high = c(lam[2] / (lam[2] + N), lam[2] / (lam[2] + N), lam_r[2] / (lam_r[2] + N)),
  omega_squared = c(omega2, omega2, NA), rank_anova_f = c(NA, NA, rank_tab[1, "F value"]))
wr(omni, "omnibus.csv")

# ---------------------------------------------------------------- pairwise
tk <- TukeyHSD(fit_aov, conf.level = conf)$mode
pw <- list()
pairs <- combn(lev, 2)
for (j in seq_len(ncol(pairs))) {
  a <- pairs[1, j]; b <- pairs[2, j]
  xa <- d$belonging[d$mode == a]; xb <- d$belonging[d$mode == b]
  na <- length(xa); nb <- length(xb); va <- var(xa); vb <- var(xb)
  tt <- t.test(xa, xb, var.equal = FALSE, conf.level = conf)
  diff <- mean(xa) - mean(xb)
  # Games-Howell (Games & Howell 1976): Welch df, studentized range with k groups
  se2 <- va / na + vb / nb
  dfw <- se2^2 / ((va / na)^2 / (na - 1) + (vb / nb)^2 / (nb - 1))
  qgh <- abs(diff) / sqrt(se2 / 2)
  crit <- qtukey(conf, k, dfw) / sqrt(2)
  # Tukey HSD: R reports mean(b) - mean(a) for "b-a"
  row <- tk[paste(b, a, sep = "-"), ]
  # Hedges' g with the exact small-sample correction and the Hedges & Olkin (1985) SE
  dfp <- na + nb - 2
  sp <- sqrt(((na - 1) * va + (nb - 1) * vb) / dfp)
  J <- exp(lgamma(dfp / 2) - lgamma((dfp - 1) / 2)) / sqrt(dfp / 2)
  g <- J * diff / sp
  se_g <- sqrt((na + nb) / (na * nb) + g^2 / (2 * (na + nb)))
  z <- qnorm(1 - (1 - conf) / 2)
  # Mann-Whitney (normal approximation, tie and continuity corrections) and rank-biserial r
  mw <- wilcox.test(xa, xb, exact = FALSE, correct = TRUE, conf.level = conf)
  U <- unname(mw$statistic)
  rrb <- 2 * U / (na * nb) - 1
  se_z <- sqrt((na + nb + 1) / (3 * na * nb))
  pw[[j]] <- data.frame(group_a = a, group_b = b, n_a = na, n_b = nb, difference = diff,
    ci_low = tt$conf.int[1], ci_high = tt$conf.int[2], statistic = unname(tt$statistic),
    df = unname(tt$parameter), p_value = tt$p.value,
    gh_ci_low = diff - crit * sqrt(se2), gh_ci_high = diff + crit * sqrt(se2),
    gh_p = ptukey(qgh, k, dfw, lower.tail = FALSE),
    tukey_ci_low = -row[["upr"]], tukey_ci_high = -row[["lwr"]], tukey_p = row[["p adj"]],
    hedges_g = g, g_ci_low = g - z * se_g, g_ci_high = g + z * se_g,
    mw_u = U, mw_p = mw$p.value, rank_biserial = rrb,
    rb_ci_low = tanh(atanh(rrb) - z * se_z), rb_ci_high = tanh(atanh(rrb) + z * se_z))
}
pw <- do.call(rbind, pw)
pw$p_holm <- p.adjust(pw$p_value, "holm")
pw$p_bh <- p.adjust(pw$p_value, "BH")
pw$mw_p_holm <- p.adjust(pw$mw_p, "holm")
wr(pw, "pairwise.csv")

# ---------------------------------------------------------------- OLS with covariates
rename_terms <- function(x) {
  x <- sub("^\\(Intercept\\)$", "intercept", x)
  sub("^mode(.*)$", "mode[\\1]", x)
}
fit <- lm(belonging ~ mode + first_gen + prior_gpa, data = d)
ols_tab <- function(V, dfr, label) {
  ct <- coeftest(fit, vcov. = V, df = dfr)
  ci <- coefci(fit, vcov. = V, df = dfr, level = conf)
  data.frame(model = label, term = rename_terms(rownames(ct)), estimate = ct[, 1], se = ct[, 2],
             statistic = ct[, 3], p_value = ct[, 4], ci_low = ci[, 1], ci_high = ci[, 2])
}
G <- length(unique(d$section))
ols <- rbind(ols_tab(vcovHC(fit, type = "HC3"), fit$df.residual, "ols_hc3"),
             ols_tab(vcovCL(fit, cluster = ~section, type = "HC1"), G - 1, "ols_cluster"))
wr(ols, "ols.csv")

# ---------------------------------------------------------------- linear mixed model (REML)
lmm <- lme(belonging ~ mode + first_gen + prior_gpa, random = ~ 1 | section, data = d, method = "REML")
V <- vcov(lmm)
fe <- fixef(lmm)
tau2 <- as.numeric(getVarCov(lmm)); sig2 <- lmm$sigma^2
mixed <- data.frame(term = rename_terms(names(fe)), estimate = unname(fe), se = sqrt(diag(V)))
wr(mixed, "mixed.csv")
# adjusted pairwise differences a - b from the fixed effects
L <- function(a, b) {
  v <- setNames(numeric(length(fe)), names(fe))
  if (a != lev[1]) v[paste0("mode", a)] <- v[paste0("mode", a)] + 1
  if (b != lev[1]) v[paste0("mode", b)] <- v[paste0("mode", b)] - 1
  v
}
adj <- do.call(rbind, lapply(seq_len(ncol(pairs)), function(j) {
  v <- L(pairs[1, j], pairs[2, j])
  data.frame(group_a = pairs[1, j], group_b = pairs[2, j], estimate = sum(v * fe),
             se = sqrt(drop(t(v) %*% V %*% v)))
}))
wr(adj, "mixed_contrasts.csv")
wr(data.frame(tau2 = tau2, sigma2 = sig2, icc = tau2 / (tau2 + sig2),
              loglik_reml = as.numeric(logLik(lmm))), "mixed_variance.csv")

# ---------------------------------------------------------------- design-based means (survey)
designs <- list(
  weights_only = svydesign(ids = ~1, weights = ~weight, data = d),
  clusters = svydesign(ids = ~section, weights = ~weight, data = d),
  strata_clusters = svydesign(ids = ~section, strata = ~stratum, weights = ~weight, data = d, nest = TRUE))
sv <- list()
for (nm in names(designs)) {
  des <- designs[[nm]]
  m <- svymean(~belonging, des)
  ci <- confint(m, level = conf)  # survey's default: normal quantiles
  sv[[length(sv) + 1]] <- data.frame(design = nm, group = "(overall)", mean = coef(m)[[1]],
    se = SE(m)[[1]], ci_low = ci[1, 1], ci_high = ci[1, 2], degf = degf(des),
    sd = sqrt(coef(svyvar(~belonging, des))[[1]]))
  by <- svyby(~belonging, ~mode, des, svymean)
  cb <- confint(by, level = conf)
  vb <- svyby(~belonging, ~mode, des, svyvar)
  sv[[length(sv) + 1]] <- data.frame(design = nm, group = as.character(by$mode), mean = coef(by),
    se = SE(by), ci_low = cb[, 1], ci_high = cb[, 2], degf = degf(des), sd = sqrt(coef(vb)))
}
wr(do.call(rbind, sv), "survey.csv")
# design-based differences between groups (a - b) and the share above the midpoint
svc <- list(); svf <- list()
for (nm in names(designs)) {
  des <- designs[[nm]]
  by <- svyby(~belonging, ~mode, des, svymean, covmat = TRUE)
  for (j in seq_len(ncol(pairs))) {
    cvec <- setNames(numeric(k), lev); cvec[pairs[1, j]] <- 1; cvec[pairs[2, j]] <- -1
    con <- svycontrast(by, cvec)
    ci <- confint(con, level = conf)
    svc[[length(svc) + 1]] <- data.frame(design = nm, group_a = pairs[1, j], group_b = pairs[2, j],
      difference = coef(con)[[1]], se = SE(con)[[1]], ci_low = ci[1, 1], ci_high = ci[1, 2])
  }
  des <- update(des, fav = as.numeric(belonging > midpoint))
  m <- svymean(~fav, des); ci <- confint(m, level = conf)
  svf[[length(svf) + 1]] <- data.frame(design = nm, group = "(overall)", proportion = coef(m)[[1]],
    se = SE(m)[[1]], ci_low = ci[1, 1], ci_high = ci[1, 2])
  by <- svyby(~fav, ~mode, des, svymean); cb <- confint(by, level = conf)
  svf[[length(svf) + 1]] <- data.frame(design = nm, group = as.character(by$mode), proportion = coef(by),
    se = SE(by), ci_low = cb[, 1], ci_high = cb[, 2])
}
wr(do.call(rbind, svc), "survey_contrasts.csv")
wr(do.call(rbind, svf), "survey_favourable.csv")

# ---------------------------------------------------------------- participation
cc <- d
z <- function(x) (x - mean(x)) / sd(x)
fit_p <- lm(z(belonging) ~ z(forum_posts) + z(breakout_sessions) + z(live_hours) + first_gen + prior_gpa, data = cc)
Vp <- vcovHC(fit_p, type = "HC3")
ctp <- coeftest(fit_p, vcov. = Vp, df = fit_p$df.residual)
cip <- coefci(fit_p, vcov. = Vp, df = fit_p$df.residual, level = conf)
meas <- c("forum_posts", "breakout_sessions", "live_hours")
part <- do.call(rbind, lapply(seq_along(meas), function(i) {
  m <- meas[i]; others <- setdiff(c(meas, "first_gen", "prior_gpa"), m)
  ry <- resid(lm(reformulate(others, "belonging"), data = cc))
  rx <- resid(lm(reformulate(others, m), data = cc))
  pr <- cor(ry, rx)
  se <- 1 / sqrt(nrow(cc) - 3 - length(others))
  zq <- qnorm(1 - (1 - conf) / 2)
  term <- paste0("z(", m, ")")
  data.frame(measure = m, beta = ctp[term, 1], se = ctp[term, 2], ci_low = cip[term, 1],
             ci_high = cip[term, 2], p_value = ctp[term, 4], partial_r = pr,
             r_ci_low = tanh(atanh(pr) - zq * se), r_ci_high = tanh(atanh(pr) + zq * se))
}))
wr(part, "participation.csv")

# ---------------------------------------------------------------- waves
set.seed(20261129)
np <- 420
pmode <- sample(modes, np, replace = TRUE, prob = c(0.35, 0.25, 0.22, 0.18))
person <- rnorm(np, 0, 0.45)
gain <- c(in_person = 0.10, hybrid = 0.05, online_sync = 0.0, online_async = -0.15)
w1 <- 1:300; w2 <- c(1:220, 301:420)  # 220 respondents answer both waves
mk <- function(ids, wave) {
  yy <- mu[pmode[ids]] + person[ids] + (wave - 1) * gain[pmode[ids]] + rnorm(length(ids), 0, 0.45)
  data.frame(response_id = sprintf("p%04d", ids), mode = pmode[ids], wave = wave,
             belonging = pmin(5, pmax(1, round(yy * 8) / 8)))
}
wv <- rbind(mk(w1, 1), mk(w2, 2))
write.csv(f17(wv), file.path(out, "waves.csv"), row.names = FALSE)
wv$mode <- factor(wv$mode)
wide <- merge(wv[wv$wave == 1, ], wv[wv$wave == 2, c("response_id", "belonging")], by = "response_id",
              suffixes = c("_1", "_2"))
ch <- do.call(rbind, lapply(levels(wv$mode), function(g) {
  s <- wide[wide$mode == g, ]
  tt <- t.test(s$belonging_2, s$belonging_1, paired = TRUE, conf.level = conf)
  dd <- s$belonging_2 - s$belonging_1
  data.frame(group = g, n_pairs = nrow(s), change = mean(dd), sd_change = sd(dd),
             ci_low = tt$conf.int[1], ci_high = tt$conf.int[2], statistic = unname(tt$statistic),
             p_value = tt$p.value)
}))
wr(ch, "waves_change.csv")
wv$wave_f <- factor(wv$wave)
lw <- lme(belonging ~ mode * wave_f, random = ~ 1 | response_id, data = wv, method = "REML")
few <- fixef(lw)
nm <- names(few)
nm <- sub("^\\(Intercept\\)$", "intercept", nm)
nm <- gsub("mode([a-z_]+)", "mode[\\1]", nm)
nm <- gsub("wave_f([0-9]+)", "wave[\\1]", nm)
nm <- gsub(":", ":", nm)
tw <- as.numeric(getVarCov(lw)); sw <- lw$sigma^2
wr(data.frame(term = nm, estimate = unname(few), se = sqrt(diag(vcov(lw)))), "waves_mixed.csv")
wr(data.frame(tau2 = tw, sigma2 = sw, icc = tw / (tw + sw)), "waves_variance.csv")
cat("done\n")
