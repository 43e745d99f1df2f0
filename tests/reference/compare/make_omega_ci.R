# Reference values for the omega-squared interval of compare's omnibus table (omega_ci_low,
# omega_ci_high; tests/groups/test_compare_omega_ci.py). Base R only (stats).
#
# Data: tests/reference/compare/data.csv (the shared compare data set, simulated by make_reference.R).
# Cases: several outcomes and groupings (2 to 30 groups) at confidence 0.80, 0.90, 0.95 and 0.99, so
# that both branches are exercised (bounds found by root finding, and bounds that are 0).
#
# Method (Steiger, 2004): omega-squared and eta-squared estimate the same population quantity, the
# proportion of variance explained by the groups, PVE = lambda / (lambda + N), where lambda is the
# noncentrality of the classic one-way ANOVA F (df1 = k - 1, df2 = N - k). A confidence interval for
# lambda is found by inverting the noncentral F distribution in lambda: the lower bound is the lambda
# at which the observed F is the (1 + confidence) / 2 quantile, the upper bound the lambda at which it
# is the (1 - confidence) / 2 quantile; a bound is 0 when the central F (lambda = 0) already puts the
# observed F at or below that quantile. Each bound is mapped to lambda / (lambda + N).
#
# Implementation: the noncentral F distribution function is evaluated two ways, and the interval is
# computed with each:
#   1. stats::pf(f, df1, df2, ncp = lambda) (R's noncentral beta, AS 226 / R84), roots by uniroot;
#   2. the Poisson mixture of central F distributions (e.g. Johnson, Kotz & Balakrishnan 1995, ch. 30):
#      P(F <= f; lambda) = sum_j dpois(j, lambda / 2) * pbeta(x, df1 / 2 + j, df2 / 2),
#      x = df1 f / (df1 f + df2), summed over all j with Poisson weight above 1e-300 around the mode;
#      roots by bisection to an interval width of 1e-12 * max(1, lambda).
# The CSV holds the values from route 2 (whose series is exact to double precision, while pnbeta
# stops at an error of 1e-9); the largest difference between the two routes is written to
# omega_ci_versions.txt.
#
# Steiger, J. H. (2004). Beyond the F test: Effect size confidence intervals and tests of close fit in
#   the analysis of variance and contrast analysis. Psychological Methods, 9(2), 164-182.
#
# Run from the repository root:  Rscript tests/reference/compare/make_omega_ci.R
out <- "tests/reference/compare"
d <- read.csv(file.path(out, "data.csv"), stringsAsFactors = FALSE)

cases <- expand.grid(
  confidence = c(0.80, 0.90, 0.95, 0.99),
  design = c("belonging~mode", "belonging~stratum", "belonging~section", "belonging~first_gen",
             "forum_posts~mode", "live_hours~stratum", "prior_gpa~mode"),
  stringsAsFactors = FALSE)

# route 1: R's noncentral F
ncp_bounds_pf <- function(f, df1, df2, confidence) {
  bound <- function(p) {
    if (pf(f, df1, df2) <= p) return(0)
    hi <- max(10, 2 * f * df1)
    while (pf(f, df1, df2, ncp = hi) > p) hi <- 2 * hi
    uniroot(function(l) pf(f, df1, df2, ncp = l) - p, c(0, hi), tol = 1e-13, maxiter = 10000)$root
  }
  c(bound((1 + confidence) / 2), bound((1 - confidence) / 2))
}

# route 2: Poisson mixture of central F (beta) distribution functions
pnf_series <- function(f, df1, df2, lambda) {
  x <- df1 * f / (df1 * f + df2)
  if (lambda == 0) return(pbeta(x, df1 / 2, df2 / 2))
  mu <- lambda / 2
  j <- seq(max(0, floor(mu - 40 * sqrt(mu) - 40)), ceiling(mu + 40 * sqrt(mu) + 40))
  w <- dpois(j, mu)
  keep <- w > 1e-300
  sum(w[keep] * pbeta(x, df1 / 2 + j[keep], df2 / 2))
}
ncp_bounds_series <- function(f, df1, df2, confidence) {
  bound <- function(p) {
    if (pnf_series(f, df1, df2, 0) <= p) return(0)
    lo <- 0; hi <- max(10, 2 * f * df1)
    while (pnf_series(f, df1, df2, hi) > p) { lo <- hi; hi <- 2 * hi }
    while (hi - lo > 1e-12 * max(1, lo)) {  # the distribution function decreases in lambda
      mid <- (lo + hi) / 2
      if (pnf_series(f, df1, df2, mid) > p) lo <- mid else hi <- mid
    }
    (lo + hi) / 2
  }
  c(bound((1 + confidence) / 2), bound((1 - confidence) / 2))
}

rows <- list(); max_route_diff <- 0
for (i in seq_len(nrow(cases))) {
  parts <- strsplit(cases$design[i], "~")[[1]]
  y <- d[[parts[1]]]; g <- factor(d[[parts[2]]])
  tab <- summary(aov(y ~ g))[[1]]
  n_total <- length(y); k <- nlevels(g)
  f <- tab[1, "F value"]; df1 <- tab[1, "Df"]; df2 <- tab[2, "Df"]
  ssb <- tab[1, "Sum Sq"]; ssw <- tab[2, "Sum Sq"]; msw <- tab[2, "Mean Sq"]
  lam <- ncp_bounds_series(f, df1, df2, cases$confidence[i])
  lam_pf <- ncp_bounds_pf(f, df1, df2, cases$confidence[i])
  pve <- lam / (lam + n_total)
  max_route_diff <- max(max_route_diff, abs(pve - lam_pf / (lam_pf + n_total)))
  rows[[i]] <- data.frame(outcome = parts[1], by = parts[2], confidence = cases$confidence[i],
    n = n_total, k = k, f = f, df1 = df1, df2 = df2,
    omega_squared = (ssb - df1 * msw) / (ssb + ssw + msw),
    ncp_low = lam[1], ncp_high = lam[2], omega_ci_low = pve[1], omega_ci_high = pve[2])
}
res <- do.call(rbind, rows)
for (nm in names(res)) if (is.double(res[[nm]])) res[[nm]] <- sprintf("%.17g", res[[nm]])
write.csv(res, file.path(out, "omega_ci.csv"), row.names = FALSE)
writeLines(c(R.version.string, paste("stats", as.character(packageVersion("stats"))),
             sprintf("largest |pf(ncp=)/uniroot - Poisson series/bisection| in an interval bound: %.3g",
                     max_route_diff)),
           file.path(out, "omega_ci_versions.txt"))
