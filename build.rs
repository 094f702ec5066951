//! Compiles the default templates in `templates/` into the binary.

fn main() {
    minijinja_embed::embed_templates!("templates");
}
