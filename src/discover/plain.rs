//! plain: every `.sql` file is one forward-only migration, applied in the
//! natural order of its path (`2_x.sql` before `10_y.sql`, `v1.9/` before
//! `v1.10/`). No down, no transaction wrapper.

use super::{Built, Candidate, Migration, TxMode, Version};

pub(super) fn build(files: &[Candidate]) -> Built {
    let migrations = files
        .iter()
        .map(|c| {
            let stem = c
                .name
                .split_once(".sql")
                .map_or(c.name.as_str(), |(s, _)| s);
            Migration::forward(Version::new(stem), stem.to_string(), c.id, TxMode::None)
        })
        .collect();
    Built {
        migrations,
        ..Built::default()
    }
}
