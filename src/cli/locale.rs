//! The `--locale` argument of `init` and `render`: a handbook language on the command line.

use clap::ValueEnum;

use crate::model::Locale;

/// A language on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LocaleArg {
    /// English.
    En,
    /// Simplified Chinese.
    #[value(name = "zh-CN")]
    ZhCn,
}

impl From<LocaleArg> for Locale {
    fn from(arg: LocaleArg) -> Self {
        match arg {
            LocaleArg::En => Self::En,
            LocaleArg::ZhCn => Self::ZhCn,
        }
    }
}
