//! [`Few`]: the set the catalog keeps names in.

use std::borrow::Borrow;
use std::collections::{BTreeSet, btree_set};
use std::iter::{Chain, Flatten};
use std::option;

/// An ordered set that holds its one element inline and becomes a
/// [`BTreeSet`] at the second. Most sets of the catalog hold one element
/// (the indexes of a table, the table behind a key's index, the views that
/// read a table, the overloads of a routine), and a `BTreeSet` of one
/// allocates a node for eleven: 544 bytes for one
/// [`Name`](crate::model::Name). Two sets with the same elements are
/// equal whatever their form.
#[derive(Debug, Clone)]
pub enum Few<T> {
    One(T),
    Many(BTreeSet<T>),
}

impl<T> Default for Few<T> {
    fn default() -> Self {
        Few::Many(BTreeSet::new())
    }
}

impl<T: Ord> Few<T> {
    /// Adds `value`; whether it was not there.
    pub fn insert(&mut self, value: T) -> bool {
        match self {
            Few::Many(set) if !set.is_empty() => return set.insert(value),
            Few::One(one) if *one == value => return false,
            _ => {}
        }
        *self = match std::mem::take(self) {
            Few::One(one) => Few::Many(BTreeSet::from([one, value])),
            Few::Many(_) => Few::One(value),
        };
        true
    }

    /// Removes `value`; whether it was there.
    pub fn remove<Q: Ord + ?Sized>(&mut self, value: &Q) -> bool
    where
        T: Borrow<Q>,
    {
        match self {
            Few::Many(set) => set.remove(value),
            Few::One(one) if (*one).borrow() == value => {
                *self = Few::default();
                true
            }
            Few::One(_) => false,
        }
    }

    pub fn contains<Q: Ord + ?Sized>(&self, value: &Q) -> bool
    where
        T: Borrow<Q>,
    {
        match self {
            Few::One(one) => one.borrow() == value,
            Few::Many(set) => set.contains(value),
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Few::One(_) => 1,
            Few::Many(set) => set.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        matches!(self, Few::Many(set) if set.is_empty())
    }

    /// The elements, in order.
    pub fn iter(&self) -> Iter<'_, T> {
        self.into_iter()
    }
}

impl<T: Ord> PartialEq for Few<T> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl<T: Ord> Eq for Few<T> {}

impl<T: Ord> Extend<T> for Few<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        for value in iter {
            self.insert(value);
        }
    }
}

/// The elements of a [`Few`], in order.
pub type Iter<'a, T> = Chain<option::IntoIter<&'a T>, Flatten<option::IntoIter<&'a BTreeSet<T>>>>;

impl<'a, T> IntoIterator for &'a Few<T> {
    type Item = &'a T;
    type IntoIter = Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        let (one, many) = match self {
            Few::One(one) => (Some(one), None),
            Few::Many(set) => (None, Some(set)),
        };
        one.into_iter().chain(many.into_iter().flatten())
    }
}

impl<T> IntoIterator for Few<T> {
    type Item = T;
    type IntoIter = Chain<option::IntoIter<T>, btree_set::IntoIter<T>>;

    fn into_iter(self) -> Self::IntoIter {
        let (one, many) = match self {
            Few::One(one) => (Some(one), BTreeSet::new()),
            Few::Many(set) => (None, set),
        };
        one.into_iter().chain(many)
    }
}

impl<T> From<T> for Few<T> {
    fn from(value: T) -> Self {
        Few::One(value)
    }
}

#[cfg(test)]
mod tests {
    use super::Few;

    #[test]
    fn one_element_is_held_inline_and_a_second_makes_a_set() {
        let mut s = Few::default();
        assert!(s.is_empty());
        assert!(s.insert("b"));
        assert!(matches!(s, Few::One("b")));
        assert!(!s.insert("b"));
        assert!(s.insert("a"));
        assert!(matches!(s, Few::Many(_)));
        assert_eq!(s.iter().copied().collect::<Vec<_>>(), ["a", "b"]);
        assert!(s.contains("a") && !s.contains("c"));
        assert_eq!(s.len(), 2);
    }

    #[test]
    fn removing_the_last_element_empties_it() {
        let mut s = Few::from("a");
        assert!(!s.remove("b"));
        assert!(s.remove("a"));
        assert!(s.is_empty());
        assert_eq!(s.into_iter().count(), 0);
    }

    #[test]
    fn sets_with_the_same_elements_are_equal_whatever_their_form() {
        let mut many = Few::from(1);
        many.extend([2, 3]);
        many.remove(&2);
        many.remove(&3);
        assert!(matches!(many, Few::Many(_)));
        assert_eq!(many, Few::from(1));
        assert_ne!(many, Few::from(2));
        assert_ne!(Few::<u8>::default(), Few::from(1));
    }
}
