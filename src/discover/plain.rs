//! plain: every `.sql` file is one forward-only migration, applied in the
//! natural order of its name (`2_x.sql` before `10_y.sql`). No down, no
//! transaction wrapper.

use super::{Candidate, FileId, Migration, Part, TxMode, Version};

pub(super) fn build(files: &[(FileId, &Candidate)]) -> (Vec<Migration>, Vec<FileId>) {
    let mut migrations: Vec<Migration> = files
        .iter()
        .map(|(id, c)| {
            let stem = c
                .name
                .split_once(".sql")
                .map_or(c.name.as_str(), |(s, _)| s);
            Migration {
                version: Version::new(stem),
                name: stem.to_string(),
                up: Some(Part {
                    file: *id,
                    section: None,
                }),
                down: None,
                tx: TxMode::None,
            }
        })
        .collect();
    migrations.sort_by(|a, b| a.version.cmp(&b.version));
    (migrations, Vec::new())
}
