# Reference values for belonging.reliability (tests/psychometrics/test_reliability.py).
#
# Data: psych::bfi (25 Big Five items on a 1-6 scale, 2800 respondents; Revelle, psych package,
# data from the SAPA project), exported to tests/reference/data/bfi.csv by this script.
# Scales and reverse keys: psych::bfi.keys.
#
# Missing data: psych::alpha uses pairwise-complete correlations by default; belonging uses listwise
# deletion per scale. To compare like with like, every scale is reduced to its listwise-complete rows
# (na.omit) here before psych::alpha and lavaan::cfa are called.
#
# Convergence of the one-factor CFA behind omega: lavaan's default optimiser (nlminb, PORT) stops with a
# largest gradient element of about 1e-7, which leaves omega uncertain in the 7th digit; lowering
# nlminb's rel.tol does not help (below about 4e-11 it stalls at the same point, and control =
# list(rel.tol = 1e-16) makes nlminb refuse to start). So every model is fitted in two steps: the
# default nlminb fit, then a refit from its estimates by lavaan's Gauss-Newton (optim.method = "GN",
# optim.gn.tol.x = 1e-14, optim.gn.iter.max = 1000). The script stops unless the refit reports
# convergence and its largest absolute gradient element (lavInspect(fit, "gradient")) is below 1e-12.
# The settings and the largest gradient seen are written to versions.txt. With these values the
# reference omegas moved by at most 3.7e-7 from the default-nlminb values (7th digit), see versions.txt.
#
# Run from the repository root:  Rscript tests/reference/reliability/make_reference.R
suppressPackageStartupMessages({
  library(psych)
  library(lavaan)
  library(semTools)
})
out <- "tests/reference/reliability"
fmt <- function(df) {
  for (nm in names(df)) if (is.numeric(df[[nm]])) df[[nm]] <- sprintf("%.17g", df[[nm]])
  df
}
versions <- c(R.version.string,
              paste("psych", as.character(packageVersion("psych"))),
              paste("psychTools", as.character(packageVersion("psychTools"))),
              paste("lavaan", as.character(packageVersion("lavaan"))),
              paste("semTools", as.character(packageVersion("semTools"))))
gn_tol_x <- 1e-14; gn_iter_max <- 1000L; max_grad <- 1e-12

data(bfi, package = "psychTools")
bfi_out <- bfi[, c(paste0(rep(c("A", "C", "E", "N", "O"), each = 5), 1:5), "gender", "education", "age")]
write.csv(bfi_out, "tests/reference/data/bfi.csv", row.names = FALSE, na = "")

keys <- psych::bfi.keys[c("agree", "conscientious", "extraversion", "neuroticism", "openness")]
confidence <- 0.95
scales <- list(); items <- list()
grad_seen <- 0; moved <- 0  # largest |tight - default nlminb| in omega
omega_1f <- function(d) {
  vars <- colnames(d)
  model <- paste("f =~", paste(vars, collapse = " + "))
  fit0 <- lavaan::cfa(model, data = d)  # ML, marker-variable identification, N divisor
  # refit from the nlminb estimates by Gauss-Newton to (numerically) exact convergence
  fit <- lavaan::cfa(model, data = d, start = fit0, optim.method = "GN",
                     optim.gn.tol.x = gn_tol_x, optim.gn.iter.max = gn_iter_max)
  g <- max(abs(lavaan::lavInspect(fit, "gradient")))
  if (!lavaan::lavInspect(fit, "converged") || !(g < max_grad))
    stop("one-factor refit not converged: largest gradient ", g)
  grad_seen <<- max(grad_seen, g)
  om <- as.numeric(semTools::compRelSEM(fit))  # default obs.var = TRUE: observed total variance
  moved <<- max(moved, abs(om - as.numeric(semTools::compRelSEM(fit0))))
  om
}
for (scale in names(keys)) {
  key <- keys[[scale]]
  vars <- sub("^-", "", key)
  rev <- vars[startsWith(key, "-")]
  d <- na.omit(bfi[, vars])
  d_rev <- d
  for (v in rev) d_rev[[v]] <- 7 - d_rev[[v]]   # psych: max + min - x with max 6, min 1
  a <- psych::alpha(d, keys = rev, warnings = FALSE)
  n <- nrow(d); k <- length(vars)
  ra <- a$total$raw_alpha
  df1 <- n - 1; df2 <- (n - 1) * (k - 1)
  # Feldt (1965): 1 - (1 - alpha) * F quantiles
  ci_low <- 1 - (1 - ra) * qf(1 - (1 - confidence) / 2, df1, df2)
  ci_high <- 1 - (1 - ra) * qf((1 - confidence) / 2, df1, df2)
  aci <- psych::alpha.ci(ra, n.obs = n, n.var = k, p.val = 1 - confidence, digits = 17)
  om <- omega_1f(d_rev)
  scales[[scale]] <- data.frame(scale = scale, n = n, k = k, raw_alpha = ra,
    std_alpha = a$total$std.alpha, average_r = a$total$average_r,
    ci_low = ci_low, ci_high = ci_high,
    psych_ci_low = aci$lower.ci, psych_ci_high = aci$upper.ci,
    omega = om)
  om_drop <- sapply(vars, function(v) omega_1f(d_rev[, setdiff(vars, v)]))
  items[[scale]] <- data.frame(scale = scale, item = vars,
    mean = a$item.stats$mean, sd = a$item.stats$sd,
    r_drop = a$item.stats$r.drop, alpha_drop = a$alpha.drop$raw_alpha,
    omega_drop = as.numeric(om_drop))
}
write.csv(fmt(do.call(rbind, scales)), file.path(out, "scales.csv"), row.names = FALSE)
write.csv(fmt(do.call(rbind, items)), file.path(out, "items.csv"), row.names = FALSE)
writeLines(c(versions,
             "one-factor CFA (omega): lavaan::cfa default (nlminb), then refit start = previous fit,",
             sprintf("  optim.method = \"GN\", optim.gn.tol.x = %g, optim.gn.iter.max = %d; required converged", gn_tol_x, gn_iter_max),
             sprintf("  and max |gradient| < %g; largest seen %.3g", max_grad, grad_seen),
             sprintf("  largest change from the default-nlminb omega: %.3g", moved)),
           file.path(out, "versions.txt"))
