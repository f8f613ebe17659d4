//! Reading numpy arrays whatever their layout.

use numpy::{Element, PyArrayMethods, PyReadonlyArray1, PyUntypedArrayMethods};

/// The values of a 1-d array as a vector, for any strides and alignment: a numpy array
/// viewed over an Arrow buffer or a byte string can be misaligned, and reading it through
/// a typed slice or ndarray view would be undefined behaviour (a debug build panics).
pub(crate) trait Values<T> {
    fn values(&self) -> Vec<T>;
}

impl<T: Element + Copy> Values<T> for PyReadonlyArray1<'_, T> {
    fn values(&self) -> Vec<T> {
        if let Ok(s) = self.as_slice() {
            return s.to_vec();
        }
        let (base, stride) = (self.data().cast::<u8>().cast_const(), self.strides()[0]);
        (0..self.len() as isize)
            // SAFETY: numpy guarantees `len` elements at `data + i x stride` bytes, each a
            // valid `T` (the dtype matched `T` on extraction); the borrow is read-only and
            // `read_unaligned` needs no alignment.
            .map(|i| unsafe { base.offset(i * stride).cast::<T>().read_unaligned() })
            .collect()
    }
}
